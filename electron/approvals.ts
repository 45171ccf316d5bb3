import type { Core } from '../core/app.js';

/**
 * Counts the permission requests waiting for a person whenever one is asked or answered (batched
 * per tick), so the tray and the badge show them while the window is hidden. Returns the stop.
 */
export function watchPendingApprovals(core: Core, onCount: (count: number) => void): () => void {
  let queued = false;
  let stopped = false;
  const refresh = () => {
    if (queued || stopped) return;
    queued = true;
    setImmediate(() => {
      queued = false;
      if (stopped) return;
      core.gateway.call('permissions.pending', {}).then(
        ({ requests }) => {
          if (!stopped) onCount(requests.length);
        },
        (err: unknown) => core.logger.log('warn', 'counting pending approvals failed', { error: String(err) }),
      );
    });
  };
  const unsubscribe = core.log.subscribe(core.log.head(), (event) => {
    if (event.type === 'permission.requested' || event.type === 'permission.decided') refresh();
  });
  refresh();
  return () => {
    stopped = true;
    unsubscribe();
  };
}

/** Counts the workers that have not ended whenever one is spawned or a run ends, for the tray. Returns the stop. */
export function watchActiveWorkers(core: Core, onCount: (count: number) => void): () => void {
  let queued = false;
  let stopped = false;
  const refresh = () => {
    if (queued || stopped) return;
    queued = true;
    setImmediate(() => {
      queued = false;
      if (!stopped) onCount(core.workers.queries.list('active', 1000).length);
    });
  };
  const unsubscribe = core.log.subscribe(core.log.head(), (event) => {
    if (event.type === 'worker.spawned' || event.type === 'run.status') refresh();
  });
  refresh();
  return () => {
    stopped = true;
    unsubscribe();
  };
}
