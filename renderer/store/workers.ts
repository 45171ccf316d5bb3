import { isTerminalRunStatus, workerStepAfter, type AppEvent, type Worker, type WorkerEnvelope, type WorkerTranscriptEntry } from '../../core/contract/index.js';
import { describeError } from './errors.js';
import type { SliceCreator } from './types.js';

/** One worker opened in the panel: its result and transcript, refreshed while it works. */
export interface OpenWorker {
  id: string;
  envelope: WorkerEnvelope | null;
  transcript: WorkerTranscriptEntry[];
  error: string | null;
}

export interface WorkersSlice {
  /** Recent workers by id, kept live from the event log. */
  workers: Record<string, Worker>;
  workersLoaded: boolean;
  workersError: string | null;
  /** Workers a Cancel was sent for and that have not ended yet. */
  workersCancelling: Record<string, true>;
  openWorker: OpenWorker | null;
  loadWorkers(): Promise<void>;
  showWorker(id: string | null): Promise<void>;
  cancelWorker(id: string): Promise<void>;
  applyWorkerEvents(events: readonly AppEvent[]): void;
}

export const createWorkersSlice: SliceCreator<WorkersSlice> = (set, get, client) => {
  let refreshQueued = false;
  /** The last event the loaded list reflects: replayed events up to it are already counted in it. */
  let listedUpTo = 0;
  const refreshOpen = () => {
    if (refreshQueued) return;
    refreshQueued = true;
    queueMicrotask(async () => {
      refreshQueued = false;
      const open = get().openWorker;
      if (!open) return;
      try {
        const shown = await client.call('workers.get', { workerId: open.id });
        if (get().openWorker?.id === open.id) set({ openWorker: { id: open.id, envelope: shown.envelope, transcript: shown.transcript, error: null } });
      } catch (err) {
        if (get().openWorker?.id === open.id) set({ openWorker: { ...open, error: describeError(err) } });
      }
    });
  };
  return {
    workers: {},
    workersLoaded: false,
    workersError: null,
    workersCancelling: {},
    openWorker: null,

    async loadWorkers() {
      try {
        const { workers, head } = await client.call('workers.list', { status: 'all', limit: 200 });
        listedUpTo = head;
        set({ workers: Object.fromEntries(workers.map((w) => [w.id, w])), workersLoaded: true, workersError: null });
      } catch (err) {
        set({ workersLoaded: true, workersError: `Workers could not be loaded: ${describeError(err)}` });
      }
    },

    async showWorker(id) {
      if (id === null) {
        set({ openWorker: null });
        return;
      }
      set({ openWorker: { id, envelope: null, transcript: [], error: null } });
      refreshOpen();
    },

    async cancelWorker(id) {
      set({ workersCancelling: { ...get().workersCancelling, [id]: true }, workersError: null });
      try {
        await client.call('workers.cancel', { workerId: id });
      } catch (err) {
        const { [id]: _dropped, ...rest } = get().workersCancelling;
        set({ workersCancelling: rest, workersError: `Cancel did not go through: ${describeError(err)}` });
      }
    },

    applyWorkerEvents(events) {
      let workers = get().workers;
      let cancelling = get().workersCancelling;
      let touchedOpen = false;
      const openId = get().openWorker?.id;
      const update = (id: string, patch: Partial<Worker>) => {
        if (!workers[id]) return;
        workers = { ...workers, [id]: { ...workers[id], ...patch } };
      };
      for (const event of events) {
        const id = event.runId;
        if (!id || event.seq <= listedUpTo) continue;
        if (event.type === 'worker.spawned') {
          workers = {
            ...workers,
            [id]: { id, role: event.data.role, task: event.data.task, status: 'queued', reason: null, error: null, parentRunId: event.data.parentRunId, depth: event.data.depth, createdAt: event.ts, startedAt: null, endedAt: null, tokens: 0, costUsd: 0, step: 'queued' },
          };
        }
        if (!workers[id]) continue;
        if (id === openId) touchedOpen = true;
        if (event.type === 'run.status') {
          const ended = isTerminalRunStatus(event.data.to);
          update(id, {
            status: event.data.to,
            reason: event.data.reason,
            error: event.data.error,
            ...(event.data.to === 'running' && workers[id].startedAt === null ? { startedAt: event.ts } : {}),
            ...(ended ? { endedAt: event.ts, step: null } : {}),
          });
          if (ended && cancelling[id]) {
            const { [id]: _done, ...rest } = cancelling;
            cancelling = rest;
          }
          if (ended) continue;
        } else if (event.type === 'run.usage') {
          const d = event.data;
          update(id, { tokens: workers[id].tokens + d.inputTokens + d.outputTokens + d.cacheReadTokens + d.cacheWriteTokens, costUsd: workers[id].costUsd + d.costUsd });
        }
        const step = workerStepAfter(event);
        if (step !== undefined) update(id, { step });
      }
      if (workers !== get().workers || cancelling !== get().workersCancelling) set({ workers, workersCancelling: cancelling });
      if (touchedOpen) refreshOpen();
    },
  };
};

/** Workers that have not ended. */
export function activeWorkerCount(workers: Record<string, Worker>): number {
  let n = 0;
  for (const w of Object.values(workers)) if (!isTerminalRunStatus(w.status)) n++;
  return n;
}
