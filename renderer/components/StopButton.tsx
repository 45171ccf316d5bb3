import { useApp } from '../store/context.js';
import { currentChatRun } from '../store/index.js';

/** Stops the chat turn in flight; hidden when nothing is running. */
export function StopButton() {
  const run = useApp((s) => currentChatRun(s.activeRuns));
  const cancelling = useApp((s) => (run ? Boolean(s.cancelling[run.id]) : false));
  const cancelRun = useApp((s) => s.cancelRun);
  const error = useApp((s) => s.runsError);
  const connected = useApp((s) => s.connectionState === 'open');
  return (
    <div className="stop-row">
      {run ? (
        <button
          type="button"
          className="stop-button"
          data-testid="stop-button"
          data-run-id={run.id}
          disabled={cancelling || !connected}
          onClick={() => void cancelRun(run.id)}
        >
          <span className="stop-icon" aria-hidden="true" />
          {cancelling ? 'Stopping…' : run.status === 'waiting_permission' ? 'Stop (waiting for permission)' : 'Stop'}
        </button>
      ) : null}
      {error ? (
        <span className="inline-error" role="alert" data-testid="stop-error">
          {error}
        </span>
      ) : null}
    </div>
  );
}
