import { useState, type ReactNode } from 'react';
import type { ArtifactItem } from '../../core/contract/index.js';
import { useApp, useClient } from '../store/context.js';
import { describeError } from '../store/errors.js';
import { CopyButton } from './CopyButton.js';

/** The most of a file's text shown in the row; the whole file is at its path. */
const SHOWN_CHARS = 20_000;

/** `812 bytes`, `4.2 KB`, `1.3 MB`. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} byte${bytes === 1 ? '' : 's'}`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

type Shown = { state: 'loading' } | { state: 'ready'; path: string; text: string | null } | { state: 'error'; error: string };

/**
 * A file a worker handed back: its name, type, size and the worker that made it. Show file asks the
 * core where it is and, for text, what it says, and shows that as plain text: the window never
 * loads the file itself. The worker's whole transcript opens in its own view.
 */
export function ArtifactRow({ item, time }: { item: ArtifactItem; time: ReactNode }) {
  const client = useClient();
  const showThread = useApp((s) => s.showThread);
  const [shown, setShown] = useState<Shown | null>(null);
  const toggle = async () => {
    if (shown) {
      setShown(null);
      return;
    }
    setShown({ state: 'loading' });
    try {
      const { path, text } = await client.call('workers.artifact', { artifactId: item.artifactId });
      setShown({ state: 'ready', path, text });
    } catch (err) {
      setShown({ state: 'error', error: `The file could not be read: ${describeError(err)}` });
    }
  };
  return (
    <article
      className="row row-result row-artifact"
      data-testid="timeline-row"
      data-kind="artifact"
      data-id={item.id}
      data-run-id={item.runId ?? ''}
      data-artifact-id={item.artifactId}
      aria-label={`File ${item.name} from the ${item.source} worker`}
    >
      <header className="message-meta">
        <span className="result-source">File from the {item.source} worker</span>
        {time}
      </header>
      <p className="artifact-name" data-testid="artifact-name">
        {item.name}
      </p>
      <p className="result-title" data-testid="artifact-meta">
        {item.type} · {formatSize(item.size)}
      </p>
      <div className="result-actions">
        <button type="button" className="link" aria-expanded={shown !== null} onClick={() => void toggle()} data-testid="artifact-open">
          {shown ? 'Hide file' : 'Show file'}
        </button>
        {item.sourceThreadId !== item.threadId ? (
          <button type="button" className="link" onClick={() => void showThread(item.sourceThreadId, `${item.source}: ${item.name}`, item.runId)} data-testid="artifact-transcript">
            Open the worker’s transcript
          </button>
        ) : null}
      </div>
      {shown?.state === 'loading' ? <p className="muted" role="status">Reading the file…</p> : null}
      {shown?.state === 'error' ? (
        <p className="inline-error" role="alert">
          {shown.error}
        </p>
      ) : null}
      {shown?.state === 'ready' ? (
        <div className="artifact-view" data-testid="artifact-view">
          <p className="artifact-path">
            <span>Saved at </span>
            <code data-testid="artifact-path">{shown.path}</code> <CopyButton text={shown.path} label={`Copy the path of ${item.name}`} testId="artifact-copy-path" />
          </p>
          {shown.text === null ? (
            <p className="muted">Not text, or over 1 MB: open it from its folder.</p>
          ) : (
            <pre className="artifact-text" data-testid="artifact-text" tabIndex={0} aria-label={`The text of ${item.name}`}>
              {shown.text.length > SHOWN_CHARS ? `${shown.text.slice(0, SHOWN_CHARS)}\n… (the rest is in the file)` : shown.text}
            </pre>
          )}
        </div>
      ) : null}
    </article>
  );
}
