import { useApp } from '../store/context.js';
import type { ActiveRun } from '../store/index.js';

function queuedChats(runs: Record<string, ActiveRun>): string {
  // A string key so the list re-renders only when the queue itself changes.
  return JSON.stringify(
    Object.values(runs)
      .filter((r) => r.kind === 'chat' && r.status === 'queued')
      .sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id))
      .map((r) => [r.id, r.title]),
  );
}

/** Messages sent while a reply is still being written wait their turn; this shows them, each with Cancel. */
export function QueuedMessages() {
  const key = useApp((s) => queuedChats(s.activeRuns));
  const cancel = useApp((s) => s.cancelRun);
  const queued = JSON.parse(key) as [string, string][];
  if (!queued.length) return null;
  return (
    <div className="queued" data-testid="queued-messages" aria-label="Waiting to be sent">
      <span className="queued-title">{queued.length === 1 ? 'Next, after this reply:' : `${queued.length} messages wait their turn:`}</span>
      <ol>
        {queued.map(([id, title]) => (
          <li key={id} data-testid="queued-message" data-run-id={id}>
            <span className="queued-text">{title}</span>
            <button type="button" className="chip" onClick={() => void cancel(id)} aria-label={`Cancel “${title.slice(0, 40)}”`}>
              Cancel
            </button>
          </li>
        ))}
      </ol>
    </div>
  );
}
