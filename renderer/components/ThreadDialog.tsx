import { useEffect, useMemo, useRef } from 'react';
import { useApp } from '../store/context.js';
import { TimelineRow } from './TimelineRow.js';
import { visibleTimelineItems } from './timelineVisibility.js';
import { useDialogFocus } from './useDialogFocus.js';

/**
 * A thread on its own: a schedule's runs or a worker's whole transcript, which the master timeline
 * shows only as a result. Opened from a result, the schedules pane or the worker panel; Esc or Close
 * goes back. It follows the thread live while its run works.
 */
export function ThreadDialog() {
  const open = useApp((s) => s.openThread);
  const close = useApp((s) => s.closeThread);
  const loadOlder = useApp((s) => s.loadOlderOfThread);
  const dialogRef = useRef<HTMLDivElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  useDialogFocus(dialogRef, open !== null, close, open?.threadId);
  const rows = useMemo(() => (open ? visibleTimelineItems(open.items).rows : []), [open]);
  const ready = open?.status === 'ready';
  const focusRun = open?.runId ?? null;
  // Opened for one run: its first entry comes into view; else the newest.
  useEffect(() => {
    const list = listRef.current;
    if (!ready || !list) return;
    const first = focusRun ? list.querySelector(`[data-run-id="${CSS.escape(focusRun)}"]`) : null;
    if (first) first.scrollIntoView({ block: 'start' });
    else list.scrollTop = list.scrollHeight;
  }, [ready, focusRun]);
  if (!open) return null;
  return (
    <div className="thread-backdrop" onClick={(e) => e.target === e.currentTarget && close()}>
      <div className="thread-dialog" role="dialog" aria-modal="true" aria-labelledby="thread-title" data-testid="thread-dialog" data-thread-id={open.threadId} ref={dialogRef} tabIndex={-1}>
        <div className="thread-head">
          <h2 id="thread-title">{open.title}</h2>
          <button type="button" onClick={close} data-testid="thread-close">
            Close
          </button>
        </div>
        <div className="thread-items" ref={listRef} data-testid="thread-items" tabIndex={0} role="region" aria-label="Transcript">
          {open.hasOlder ? (
            <button type="button" className="link thread-older" onClick={() => void loadOlder()} data-testid="thread-older">
              Show older entries
            </button>
          ) : null}
          {open.error ? (
            <p className="inline-error" role="alert">
              {open.error}
            </p>
          ) : null}
          {open.status === 'loading' ? <p className="muted" role="status">Loading the transcript…</p> : null}
          {ready && rows.length === 0 ? <p className="muted">Nothing in this transcript yet.</p> : null}
          {rows.map((row) => (
            <div key={row.id} className="thread-slot">
              <TimelineRow item={row} />
            </div>
          ))}
        </div>
      </div>
    </div>
  );
}
