import { useApp } from '../store/context.js';

const LABELS = { connecting: 'Connecting…', open: 'Connected', reconnecting: 'Reconnecting…', closed: 'Disconnected' } as const;

/** Shows whether the window is talking to core, and why not when it is not. */
export function ConnectionIndicator() {
  const state = useApp((s) => s.connectionState);
  const detail = useApp((s) => s.connectionDetail);
  const showDetail = state !== 'open' && detail && detail !== 'connecting';
  return (
    <div className={`connection connection-${state}`} role="status" aria-live="polite" data-testid="connection-state" data-state={state}>
      <span className="connection-dot" aria-hidden="true" />
      <span className="connection-label">{LABELS[state]}</span>
      {showDetail ? (
        <span className="connection-detail" data-testid="connection-detail">
          {detail}
        </span>
      ) : null}
    </div>
  );
}
