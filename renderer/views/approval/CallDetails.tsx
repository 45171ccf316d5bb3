import { diffLines } from 'diff';
import { useEffect, useMemo, useState } from 'react';
import type { PermissionDetails } from '../../../core/contract/index.js';
import { describeError } from '../../store/errors.js';
import { useClient } from '../../store/context.js';

type Line = { kind: 'add' | 'del' | 'same' | 'skip'; text: string };
/** Unchanged lines kept around each change; longer unchanged runs fold into one line. */
const CONTEXT = 3;
const MAX_LINES = 400;

function diffRows(before: string, after: string): { rows: Line[]; added: number; removed: number } {
  const rows: Line[] = [];
  let added = 0;
  let removed = 0;
  const parts = diffLines(before, after);
  parts.forEach((part, index) => {
    const lines = part.value.replace(/\n$/, '').split('\n');
    if (part.added) {
      added += lines.length;
      for (const text of lines) rows.push({ kind: 'add', text });
    } else if (part.removed) {
      removed += lines.length;
      for (const text of lines) rows.push({ kind: 'del', text });
    } else {
      const head = index === 0 ? 0 : CONTEXT;
      const tail = index === parts.length - 1 ? 0 : CONTEXT;
      if (lines.length > head + tail + 1) {
        for (const text of lines.slice(0, head)) rows.push({ kind: 'same', text });
        rows.push({ kind: 'skip', text: `${lines.length - head - tail} unchanged lines` });
        for (const text of lines.slice(lines.length - tail)) rows.push({ kind: 'same', text });
      } else {
        for (const text of lines) rows.push({ kind: 'same', text });
      }
    }
  });
  return { rows, added, removed };
}

const MARK = { add: '+', del: '−', same: ' ', skip: '⋯' } as const;

/** A write as a diff against the file on disk now (or the whole text of a new file). */
function WriteDetails({ details }: { details: Extract<PermissionDetails, { kind: 'write' }> }) {
  const [whole, setWhole] = useState(false);
  const diff = useMemo(() => (details.before === null ? null : diffRows(details.before, details.content)), [details]);
  const lines = details.content.split('\n');
  return (
    <div className="approval-details" data-testid="approval-details" data-kind="write">
      <p className="approval-details-head">
        {details.binary
          ? 'It would replace a file that is not text.'
          : details.before === null
            ? `A new file, ${lines.length} ${lines.length === 1 ? 'line' : 'lines'}:`
            : diff && diff.added + diff.removed === 0
              ? 'The file already has exactly this text.'
              : `Changes to the file: ${diff?.added} ${diff?.added === 1 ? 'line' : 'lines'} added, ${diff?.removed} removed.`}
        {details.truncated ? ' (Only the start is shown: the text is long.)' : ''}
      </p>
      {diff && !whole && !details.binary ? (
        <pre className="approval-diff" data-testid="approval-diff" tabIndex={0} aria-label="Changes">
          {diff.rows.slice(0, MAX_LINES).map((row, i) => (
            <span key={i} className={`diff-line diff-${row.kind}`} data-kind={row.kind}>
              <span className="diff-mark" aria-hidden="true">
                {MARK[row.kind]}
              </span>
              {row.kind === 'add' ? <span className="visually-hidden">added: </span> : row.kind === 'del' ? <span className="visually-hidden">removed: </span> : null}
              {row.text}
              {'\n'}
            </span>
          ))}
          {diff.rows.length > MAX_LINES ? <span className="diff-line diff-skip">{`… ${diff.rows.length - MAX_LINES} more lines\n`}</span> : null}
        </pre>
      ) : (
        <pre className="approval-diff" data-testid="approval-content" tabIndex={0} aria-label="The new text">
          {details.content}
        </pre>
      )}
      {diff && !details.binary ? (
        <button type="button" className="link" onClick={() => setWhole(!whole)} data-testid="approval-toggle-whole">
          {whole ? 'Show the changes' : 'Show the whole new text'}
        </button>
      ) : null}
    </div>
  );
}

/** What the call would do in full: a write's diff, a command and its folder, a request's method and address. */
export function CallDetails({ requestId }: { requestId: string }) {
  const client = useClient();
  const [details, setDetails] = useState<PermissionDetails | { error: string } | null>(null);
  useEffect(() => {
    let current = true;
    setDetails(null);
    client.call('permissions.details', { requestId }).then(
      (d) => current && setDetails(d),
      (err) => current && setDetails({ error: describeError(err) }),
    );
    return () => {
      current = false;
    };
  }, [client, requestId]);
  if (!details) return <p className="muted approval-details">Loading what it would do…</p>;
  if ('error' in details) return <p className="error-text approval-details">{details.error}</p>;
  switch (details.kind) {
    case 'write':
      return <WriteDetails details={details} />;
    case 'command':
      return (
        <div className="approval-details" data-testid="approval-details" data-kind="command">
          <pre className="approval-command" data-testid="approval-command">
            {details.command}
          </pre>
          <p className="approval-details-head">
            in the folder <code data-testid="approval-cwd">{details.cwd ?? 'the default folder'}</code>
          </p>
        </div>
      );
    case 'request':
      return (
        <div className="approval-details" data-testid="approval-details" data-kind="request">
          <pre className="approval-command" data-testid="approval-request">
            {details.method} {details.url}
          </pre>
        </div>
      );
    default:
      return null;
  }
}
