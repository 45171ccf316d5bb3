import './WorkersPane.css';
import { useEffect, useMemo, useState } from 'react';
import { isTerminalRunStatus, type Worker, type WorkerTranscriptEntry } from '../../core/contract/index.js';
import { useApp } from '../store/context.js';
import { activeWorkerCount } from '../store/workers.js';

const STATE_WORDS: Record<string, string> = {
  queued: 'queued',
  running: 'running',
  waiting_permission: 'waiting for permission',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
};

function elapsed(w: Worker, now: number): string {
  if (w.startedAt === null) return 'not started';
  const s = Math.max(0, Math.round(((w.endedAt ?? now) - w.startedAt) / 1000));
  return s < 60 ? `${s} s` : `${Math.floor(s / 60)} min ${s % 60} s`;
}

/** Ticks once a second while something is running, so elapsed times move. */
function useNow(active: boolean): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [active]);
  return now;
}

function WorkerRow({ worker, now }: { worker: Worker; now: number }) {
  const open = useApp((s) => s.openWorker?.id === worker.id);
  const show = useApp((s) => s.showWorker);
  const cancel = useApp((s) => s.cancelWorker);
  const cancelling = useApp((s) => Boolean(s.workersCancelling[worker.id]));
  const ended = isTerminalRunStatus(worker.status);
  const state = STATE_WORDS[worker.status] + (worker.reason && worker.status !== 'done' ? ` (${worker.reason.replace(/_/g, ' ')})` : '');
  return (
    <li className="worker" aria-current={open ? 'true' : undefined} data-testid="worker-row" data-id={worker.id} data-status={worker.status}>
      <div className="worker-main">
        <p className="worker-task">
          <span className="worker-role">{worker.role}</span> {worker.task}
        </p>
        <div className="worker-meta">
          <span className={`worker-state-${worker.status}`} data-testid="worker-state">{state}</span>
          {worker.step ? <span data-testid="worker-step">{worker.step}</span> : null}
          <span data-testid="worker-elapsed">{elapsed(worker, now)}</span>
          <span data-testid="worker-tokens">{worker.tokens.toLocaleString()} tokens</span>
          <span data-testid="worker-cost">${worker.costUsd.toFixed(4)}</span>
        </div>
      </div>
      <div className="worker-actions">
        <button type="button" onClick={() => void show(open ? null : worker.id)} aria-expanded={open} data-testid="worker-open" aria-label={`${open ? 'Close' : 'Open'} the ${worker.role} worker's transcript`}>
          {open ? 'Close' : 'Transcript'}
        </button>
        {ended ? null : (
          <button type="button" className="danger" disabled={cancelling} onClick={() => void cancel(worker.id)} data-testid="worker-cancel" aria-label={`Cancel the ${worker.role} worker`}>
            {cancelling ? 'Cancelling…' : 'Cancel'}
          </button>
        )}
      </div>
    </li>
  );
}

function TranscriptEntry({ entry }: { entry: WorkerTranscriptEntry }) {
  if (entry.kind === 'message')
    return (
      <li data-testid="transcript-entry" data-kind="message">
        <span className="entry-label">{entry.role === 'user' ? 'Task' : 'Worker'}</span>
        {entry.text || (entry.status === 'streaming' ? '…' : '')}
      </li>
    );
  if (entry.kind === 'tool_call')
    return (
      <li data-testid="transcript-entry" data-kind="tool_call" className="entry-tool">
        <span className="entry-label">{entry.tool}</span>
        {entry.status === 'running' ? 'running…' : entry.status === 'ok' ? entry.output.slice(0, 600) : `${entry.error?.code}: ${entry.error?.message}`}
      </li>
    );
  if (entry.kind === 'artifact')
    return (
      <li data-testid="transcript-entry" data-kind="artifact">
        <span className="entry-label">File</span>
        {entry.name} ({entry.type}, {entry.size.toLocaleString()} bytes)
      </li>
    );
  return (
    <li data-testid="transcript-entry" data-kind="error" className="entry-error">
      <span className="entry-label">Error</span>
      {entry.message}
    </li>
  );
}

function WorkerDetail() {
  const open = useApp((s) => s.openWorker);
  const worker = useApp((s) => (s.openWorker ? s.workers[s.openWorker.id] : undefined));
  const show = useApp((s) => s.showWorker);
  if (!open) return null;
  return (
    <section className="worker-detail" aria-label="Worker transcript" data-testid="worker-detail" data-id={open.id}>
      <div className="worker-detail-head">
        <h2>{worker ? `${worker.role}: ${worker.task.slice(0, 80)}` : open.id}</h2>
        <button type="button" onClick={() => void show(null)}>
          Close
        </button>
      </div>
      {open.error ? <p className="workers-error">{open.error}</p> : null}
      {open.envelope ? (
        <>
          <h3>Result</h3>
          <p data-testid="worker-summary">{open.envelope.summary}</p>
          {open.envelope.artifacts.length ? (
            <ul>
              {open.envelope.artifacts.map((a) => (
                <li key={a.id} data-testid="worker-artifact">
                  {a.name} ({a.type}, {a.size.toLocaleString()} bytes)
                </li>
              ))}
            </ul>
          ) : null}
          {open.envelope.errors.map((e, i) => (
            <p key={i} className="entry-error">
              {e}
            </p>
          ))}
        </>
      ) : worker?.error ? (
        <p className="workers-error">{worker.error}</p>
      ) : null}
      <h3>Transcript</h3>
      <ol className="worker-transcript" data-testid="worker-transcript">
        {open.transcript.map((entry) => (
          <TranscriptEntry key={`${entry.kind}-${entry.seq}`} entry={entry} />
        ))}
      </ol>
    </section>
  );
}

/** The worker panel: every recent worker live (role, task, state, step, elapsed, tokens, cost), its transcript, Cancel. */
export function WorkersPane() {
  const workers = useApp((s) => s.workers);
  const loaded = useApp((s) => s.workersLoaded);
  const error = useApp((s) => s.workersError);
  const active = activeWorkerCount(workers);
  const now = useNow(active > 0);
  const sorted = useMemo(() => Object.values(workers).sort((a, b) => b.createdAt - a.createdAt || (b.id > a.id ? 1 : -1)), [workers]);
  return (
    <div className="workers-pane">
      <h1>Workers</h1>
      <p className="workers-count" data-testid="workers-active" aria-live="polite">
        {active === 0 ? 'No workers active' : `${active} worker${active === 1 ? '' : 's'} active`}
      </p>
      {error ? (
        <p className="workers-error" role="alert">
          {error}
        </p>
      ) : null}
      <div className="workers-body">
        {sorted.length ? (
          <ul className="workers-list" aria-label="Workers" data-testid="workers-list">
            {sorted.map((w) => (
              <WorkerRow key={w.id} worker={w} now={now} />
            ))}
          </ul>
        ) : (
          <p className="workers-empty">{loaded ? 'No workers yet. The assistant starts them when a task is worth splitting up.' : 'Loading…'}</p>
        )}
        <WorkerDetail />
      </div>
    </div>
  );
}

/** The count beside the Workers section in the navigation. */
export function WorkersBadge() {
  const count = useApp((s) => activeWorkerCount(s.workers));
  if (!count) return null;
  return (
    <span className="nav-badge" aria-hidden="true" data-testid="workers-badge">
      {count}
    </span>
  );
}
