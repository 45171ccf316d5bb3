import type { ReactNode } from 'react';
import type { RunResultItem } from '../../core/contract/index.js';
import { useApp } from '../store/context.js';

const STATUS_WORDS: Record<RunResultItem['status'], string> = {
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
  interrupted: 'interrupted',
};

const SOURCE_WORDS: Record<string, string> = { schedule: 'Scheduled', worker: 'Worker' };

/** What a result's own view is called: the schedule's name, or the worker's role and task. */
export function resultViewTitle(item: Pick<RunResultItem, 'sourceKind' | 'name' | 'title'>): string {
  return item.sourceKind === 'schedule' ? item.name : `${item.name}: ${item.title}`;
}

/**
 * What a schedule's run or a worker posted when it ended: its source, status and result in short.
 * Its whole transcript opens in a view of its own; Reply makes the next message answer it (the only
 * way a result enters the chat's context).
 */
export function ResultRow({ item, time }: { item: RunResultItem; time: ReactNode }) {
  const showThread = useApp((s) => s.showThread);
  const setReplyTo = useApp((s) => s.setReplyTo);
  const replying = useApp((s) => s.replyTo?.itemId === item.id);
  const source = `${SOURCE_WORDS[item.sourceKind] ?? item.sourceKind} ${item.sourceKind === 'worker' ? item.name : `“${item.name}”`}`;
  const reason = item.reason ? ` (${item.reason.replace(/_/g, ' ')})` : '';
  return (
    <article
      className={`row row-result result-${item.status}`}
      data-testid="timeline-row"
      data-kind="run_result"
      data-id={item.id}
      data-run-id={item.runId ?? ''}
      data-status={item.status}
      data-source={item.sourceKind}
      aria-label={`${source}: ${STATUS_WORDS[item.status]}`}
    >
      <header className="message-meta">
        <span className="result-source">{source}</span>
        <span className={`result-status status-${item.status}`} data-testid="result-status">
          {STATUS_WORDS[item.status]}
          {reason}
        </span>
        {time}
      </header>
      {item.title && item.sourceKind === 'worker' ? <p className="result-title">{item.title}</p> : null}
      <p className="result-summary" data-testid="result-summary">
        {item.summary}
      </p>
      <div className="result-actions">
        <button type="button" className="link" onClick={() => void showThread(item.sourceThreadId, resultViewTitle(item), item.runId)} data-testid="result-open">
          Open transcript
        </button>
        <button
          type="button"
          className="link"
          aria-pressed={replying}
          onClick={() => {
            setReplyTo(replying ? null : { itemId: item.id, name: item.name });
            if (!replying) document.getElementById('composer-input')?.focus();
          }}
          data-testid="result-reply"
        >
          {replying ? 'Replying…' : 'Reply'}
        </button>
      </div>
    </article>
  );
}

/** Above the composer while a result is chosen: the next message replies to it; × lets go. */
export function ReplyingTo() {
  const replyTo = useApp((s) => s.replyTo);
  const setReplyTo = useApp((s) => s.setReplyTo);
  if (!replyTo) return null;
  return (
    <div className="replying-to" data-testid="replying-to" role="status">
      <span>
        Replying to the result of <strong>{replyTo.name}</strong>: it goes into the conversation with your message.
      </span>
      <button type="button" className="link" onClick={() => setReplyTo(null)} aria-label={`Stop replying to ${replyTo.name}`} data-testid="replying-to-cancel">
        ×
      </button>
    </div>
  );
}
