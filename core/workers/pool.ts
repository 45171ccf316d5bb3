import { AppError, isTerminalRunStatus, type RunKind, type Worker, type WorkerPoolSettings, type WorkerRole } from '../contract/index.js';
import type { EventLog } from '../events/index.js';
import type { EnqueueInput, RunExecutor, RunManager } from '../runs/index.js';
import type { WorkerSettingsService } from './roles.js';
import type { WorkerQueries } from './store.js';

/** The part of the run queue the pool uses. */
export interface WorkerQueue {
  enqueue<T>(input: EnqueueInput<T>): { runId: string; input: T };
  setLimit(kind: RunKind | 'total', limit: number | null): void;
}

export interface WorkerPoolDeps {
  log: EventLog;
  queue: WorkerQueue;
  runs: Pick<RunManager, 'get' | 'cancel'>;
  queries: WorkerQueries;
  settings: WorkerSettingsService;
  executorFor(role: WorkerRole, task: string): RunExecutor;
}

/**
 * Starts workers as runs of kind `worker` in the one run queue: at most `maxRunning` at once, workers
 * of different parents taking turns and each parent's in the order it asked, nested at most
 * `maxDepth` deep. A worker that waits for its own workers lends its place to them while it waits,
 * so a full pool of parents can never wait on children that cannot start.
 */
export class WorkerPool {
  private lent = 0;
  private readonly waiters = new Map<string, Set<() => void>>();
  private unsubscribe: (() => void) | null = null;

  constructor(private readonly deps: WorkerPoolDeps) {}

  start(): void {
    this.applyLimit();
    this.unsubscribe = this.deps.log.subscribe(this.deps.log.head(), (event) => {
      if (event.type !== 'run.status' || !event.runId || !isTerminalRunStatus(event.data.to)) return;
      const waiting = this.waiters.get(event.runId);
      if (!waiting) return;
      this.waiters.delete(event.runId);
      for (const wake of waiting) wake();
    });
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** The pool's limits changed: applies them to the queue. */
  applyLimit(pool: WorkerPoolSettings = this.deps.settings.pool()): void {
    this.deps.queue.setLimit('worker', pool.maxRunning + this.lent);
  }

  /**
   * Queues a worker of `roleName` for `task`, started by `parentRunId` (a chat turn, a schedule, a
   * worker, or nobody). An unknown role is `not_found`; a parent at the maximum depth is `denied`.
   */
  spawn(input: { parentRunId: string | null; role: string; task: string }): Worker {
    const role = this.deps.settings.role(input.role);
    if (!role) {
      const names = this.deps.settings.roles().map((r) => r.name);
      throw new AppError('not_found', `there is no worker role named "${input.role}"; the roles are: ${names.join(', ') || '(none)'}`);
    }
    const depth = (input.parentRunId ? this.deps.queries.depth(input.parentRunId) : 0) + 1;
    const { maxDepth } = this.deps.settings.pool();
    if (depth > maxDepth) {
      throw new AppError('denied', `workers nest at most ${maxDepth} deep and this one is at depth ${depth - 1}: it cannot start workers of its own; do the task yourself or report that it needs splitting`);
    }
    const { runId } = this.deps.queue.enqueue({
      kind: 'worker',
      title: `${role.name}: ${input.task.replace(/\s+/g, ' ').trim()}`,
      parentRunId: input.parentRunId,
      group: input.parentRunId ?? 'none',
      input: (runId) => {
        this.deps.log.append('worker.spawned', { role: role.name, task: input.task, parentRunId: input.parentRunId, depth }, runId);
      },
      executor: () => this.deps.executorFor(role, input.task),
    });
    return this.get(runId);
  }

  get(id: string): Worker {
    const worker = this.deps.queries.get(id);
    if (!worker) throw new AppError('not_found', `no worker ${id}`);
    return worker;
  }

  /**
   * Resolves with the workers once every one has ended, or with how they are when `signal` aborts.
   * While a worker waits for its own workers, its place in the pool is lent to them.
   */
  async wait(ids: readonly string[], signal: AbortSignal, callerRunId: string | null = null): Promise<Worker[]> {
    for (const id of ids) this.get(id);
    const lend = callerRunId !== null && this.deps.queries.depth(callerRunId) > 0;
    if (lend) {
      this.lent++;
      this.applyLimit();
    }
    const wakes: (() => void)[] = [];
    const aborted = () => wakes.forEach((wake) => wake());
    signal.addEventListener('abort', aborted, { once: true });
    try {
      await Promise.all(ids.map((id) => this.ended(id, signal, wakes)));
    } finally {
      signal.removeEventListener('abort', aborted);
      if (lend) {
        this.lent--;
        this.applyLimit();
      }
    }
    return ids.map((id) => this.get(id));
  }

  /** Cancels a worker and everything it started; one already ended is a conflict. */
  cancel(id: string, reason = 'cancelled_by_user'): Worker {
    this.get(id);
    this.deps.runs.cancel(id, reason);
    return this.get(id);
  }

  /** True when `id` was started by `ancestorRunId`, directly or through other workers. */
  isDescendant(id: string, ancestorRunId: string): boolean {
    let current = this.deps.queries.get(id);
    for (let hops = 0; current && hops < 16; hops++) {
      if (current.parentRunId === ancestorRunId) return true;
      current = current.parentRunId ? this.deps.queries.get(current.parentRunId) : null;
    }
    return false;
  }

  private ended(id: string, signal: AbortSignal, wakes: (() => void)[]): Promise<void> {
    if (isTerminalRunStatus(this.deps.runs.get(id).status) || signal.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const set = this.waiters.get(id) ?? new Set();
      this.waiters.set(id, set);
      const done = () => {
        set.delete(done);
        resolve();
      };
      set.add(done);
      wakes.push(done);
    });
  }
}
