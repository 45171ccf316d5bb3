import {
  AppError,
  EVENT_DATA,
  RUN_TRANSITIONS,
  isTerminalRunStatus,
  type EventData,
  type EventType,
  type Run,
  type RunKind,
  type RunStatus,
} from '../contract/index.js';
import type { EventLog } from '../events/index.js';
import type { Ids } from '../util/index.js';
import type { Logger } from '../util/index.js';
import { defaultThreadOf, type RunQueries } from './store.js';

/** Thrown for a transition the state machine does not allow: always a bug in the caller. */
export class IllegalRunTransitionError extends Error {
  constructor(runId: string, from: RunStatus, to: RunStatus) {
    super(`run ${runId} cannot go from ${from} to ${to}`);
    this.name = 'IllegalRunTransitionError';
  }
}

/**
 * How an executor says its run ended. `cancelled` is for work that stopped on its own account (a
 * provider ended the request as cancelled): it says why. A run cancelled through `cancel` has ended
 * already, and what its executor returns is not looked at.
 */
export type RunOutcome = { status: 'done' } | { status: 'failed'; reason: string; error: string } | { status: 'cancelled'; reason: string; error: string | null };

/** What a run's executor may do. Everything it emits after the run ended is dropped. */
export interface RunContext {
  readonly runId: string;
  /** Aborted the moment the run is cancelled; pass it to model streams, tools and children. */
  readonly signal: AbortSignal;
  /** Appends an event of this run in its own transaction; returns false when the run has ended. */
  emit<T extends EventType>(type: T, data: EventData<T>): boolean;
  /** Appends an event of this run with its next write (see `defer`), checked against the contract now. */
  emitLater<T extends EventType>(type: T, data: EventData<T>): boolean;
  /** Runs several appends in one transaction; skipped (false) when the run has ended. */
  transaction(fn: () => void): boolean;
  /**
   * Queues appends that commit with this run's next write (its next emit, transaction, status change
   * or its end), before that write's own, or at the latest on the event loop's next turn: events of
   * one step commit together instead of one transaction each. Dropped (false) when the run has ended.
   */
  defer(write: () => void): boolean;
  /** Moves between `running` and `waiting_permission`. */
  setStatus(to: 'running' | 'waiting_permission', reason?: string | null): void;
  /**
   * Registers a step that closes this run's open work (a streaming message, a pending request). It
   * runs inside the transaction that ends the run, before its final status event, however it ends.
   */
  onEnd(step: (status: RunStatus) => void): void;
}

export type RunExecutor = (ctx: RunContext) => Promise<RunOutcome>;

interface ActiveRun {
  controller: AbortController;
  endSteps: ((status: RunStatus) => void)[];
  /** Whether `running` has been appended. */
  started: boolean;
  /** Appends waiting for the run's next write (`defer`), oldest first. */
  deferred: (() => void)[];
  /** The next turn of the event loop commits what is deferred, if nothing has by then. */
  flushQueued: boolean;
}

/**
 * What a run that ended well tells work still attached to its signal: one value for every such run,
 * as building an error (and capturing its stack) at the end of each was wasted work on the hot path
 * of a busy worker pool. A run that fails or is cancelled gets its own, naming it.
 */
const RUN_DONE = new AppError('conflict', 'the run is done');

/** Creates runs, moves them through their states, cancels them, and recovers them after a crash. */
export class RunManager {
  private readonly active = new Map<string, ActiveRun>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly endedSteps: ((run: Run) => void)[] = [];
  private closedReason: string | null = null;

  constructor(
    private readonly log: EventLog,
    private readonly queries: RunQueries,
    private readonly ids: Ids,
    private readonly logger: Logger,
  ) {}

  get(runId: string): Run {
    const run = this.queries.get(runId);
    if (!run) throw new AppError('not_found', `no run ${runId}`);
    return run;
  }

  list(limit: number, status?: RunStatus): Run[] {
    return this.queries.list(limit, status);
  }

  /** Appends `run.created`; call inside a log transaction to create the run together with its input. */
  create(input: { kind: RunKind; title: string; parentRunId?: string | null; threadId?: string }): string {
    const runId = this.ids.next('run');
    const threadId = input.threadId ?? defaultThreadOf(input.kind, runId);
    this.log.append('run.created', { kind: input.kind, title: input.title.slice(0, 200), parentRunId: input.parentRunId ?? null, threadId }, runId);
    return runId;
  }

  /**
   * Moves a queued run to `running` inside the caller's transaction, before its work exists: the run
   * queue does this for a run that has room as its creating transaction ends, so the run's creation
   * and its start commit together. `start` then runs its executor without a transition of its own.
   */
  markRunning(runId: string): void {
    this.transition(runId, 'running');
  }

  /** Moves a run to `to`, or throws `IllegalRunTransitionError`. Call inside a log transaction. */
  transition(runId: string, to: RunStatus, detail: { reason?: string | null; error?: string | null } = {}): void {
    const run = this.get(runId);
    if (!RUN_TRANSITIONS[run.status].includes(to)) throw new IllegalRunTransitionError(runId, run.status, to);
    this.log.append('run.status', { from: run.status, to, reason: detail.reason ?? null, error: detail.error ?? null }, runId);
    if (!isTerminalRunStatus(to) || !this.endedSteps.length) return;
    const ended = this.get(runId);
    for (const step of this.endedSteps) {
      try {
        // A savepoint: the run ends whatever a step does; the step's own appends, taken back, are what is lost.
        this.log.attempt(() => step(ended));
      } catch (err) {
        this.logger.log('error', 'a step after a run ended threw', { runId, error: String((err as Error)?.stack ?? err) });
      }
    }
  }

  /**
   * Registers a step that runs for every run that ends, however it ends (done, failed, cancelled,
   * interrupted at start), in the transaction of its final status event, right after it: what the
   * run's end posts elsewhere (its result in the master timeline) commits with it or not at all.
   */
  onEnded(step: (run: Run) => void): void {
    this.endedSteps.push(step);
  }

  /** Runs that have not ended, oldest first. */
  unfinished(): Run[] {
    return this.queries.listUnfinished();
  }

  /** The thread a run reads its history from and writes into. */
  threadOf(runId: string): string {
    return this.queries.threadOf(runId);
  }

  isActive(runId: string): boolean {
    return this.active.has(runId);
  }

  /**
   * Starts a queued run: the executor (the run's `running` commits with its first write, or on the
   * event loop's next turn), then its outcome. Resolves when it has ended.
   * `marked`: the run was moved to `running` already (`markRunning`), in the transaction that created it.
   */
  start(runId: string, executor: RunExecutor, marked = false): Promise<Run> {
    const done = this.execute(runId, executor, marked);
    this.inFlight.add(done);
    void done.finally(() => this.inFlight.delete(done)).catch(() => {});
    return done;
  }

  /** Settles when every run started so far has ended; null when none is in flight. */
  idle(): Promise<void> | null {
    if (!this.inFlight.size) return null;
    return Promise.allSettled([...this.inFlight]).then(() => undefined);
  }

  private async execute(runId: string, executor: RunExecutor, marked: boolean): Promise<Run> {
    if (this.closedReason !== null) {
      this.log.transaction(() => this.transition(runId, 'cancelled', { reason: this.closedReason }));
      return this.get(runId);
    }
    const controller = new AbortController();
    const entry: ActiveRun = { controller, endSteps: [], started: marked, deferred: [], flushQueued: false };
    this.active.set(runId, entry);
    const live = () => !controller.signal.aborted && this.active.get(runId) === entry;
    // Every write of the run goes through here: what it deferred (and its `running`) first, in the
    // same transaction; if that transaction rolls back, they wait for the next one again.
    const write = (fn: () => void) => {
      const { started, deferred } = entry;
      entry.deferred = [];
      try {
        this.log.transaction(() => {
          this.flushDeferred(runId, entry, deferred);
          fn();
        });
      } catch (err) {
        entry.started = started;
        entry.deferred = [...deferred, ...entry.deferred];
        throw err;
      }
    };
    const flushSoon = () => {
      if (entry.flushQueued) return;
      entry.flushQueued = true;
      setImmediate(() => {
        entry.flushQueued = false;
        if ((entry.started && !entry.deferred.length) || this.active.get(runId) !== entry) return;
        try {
          write(() => {});
        } catch (err) {
          // Nobody awaits this turn: a database that refuses the write (disk full, I/O error) stops
          // this run, whose executor sees its signal abort, instead of the process.
          this.logger.log('error', 'saving a run\'s progress failed', { runId, error: String((err as Error)?.stack ?? err) });
          // What it could not save is dropped, so the run's end (failed) can still be written.
          entry.deferred = [];
          controller.abort(new AppError('internal', `run ${runId} could not save its progress: ${(err as Error)?.message ?? String(err)}`));
        }
      });
    };
    // `running` commits with the executor's first write (an agent run's recorded input and its first
    // message), so starting a run costs one transaction, not two; a run whose first write waits on
    // the outside (a slow memory recall) shows running on the event loop's next turn. A run `marked`
    // running in the transaction that created it has it already.
    if (!marked) flushSoon();
    const ctx: RunContext = {
      runId,
      signal: controller.signal,
      emit: (type, data) => {
        if (!live()) return false;
        write(() => this.log.append(type, data, runId));
        return true;
      },
      transaction: (fn) => {
        if (!live()) return false;
        write(fn);
        return true;
      },
      emitLater: (type, data) => {
        if (!live()) return false;
        // Checked now, so a bad event fails its caller, as `emit` does, not the write it would ride with.
        EVENT_DATA[type].parse(data);
        entry.deferred.push(() => this.log.append(type, data, runId));
        flushSoon();
        return true;
      },
      defer: (fn) => {
        if (!live()) return false;
        entry.deferred.push(fn);
        flushSoon();
        return true;
      },
      setStatus: (to, reason = null) => {
        if (!live()) return;
        write(() => this.transition(runId, to, { reason }));
      },
      onEnd: (step) => entry.endSteps.push(step),
    };
    let outcome: RunOutcome;
    try {
      outcome = await executor(ctx);
    } catch (err) {
      this.logger.log('error', 'run executor threw', { runId, error: String((err as Error)?.stack ?? err) });
      outcome = { status: 'failed', reason: 'internal', error: `internal error: ${(err as Error)?.message ?? String(err)}` };
    }
    if (this.active.get(runId) === entry) this.finish(runId, entry, outcome.status, outcome.status === 'done' ? {} : outcome);
    return this.get(runId);
  }

  /**
   * Cancels a run and every run it started, down to the last descendant: each one's work is aborted
   * at once (model stream, tool in flight, its processes, pending permission requests) and it ends
   * `cancelled`; descendants go first, with reason `parent_cancelled`. A run already ended is a conflict.
   */
  cancel(runId: string, reason = 'cancelled_by_user'): Run {
    const run = this.get(runId);
    if (isTerminalRunStatus(run.status)) throw new AppError('conflict', `run ${runId} has already ended (${run.status})`);
    this.cancelDescendants(runId, new Set([runId]));
    this.cancelOne(runId, reason);
    return this.get(runId);
  }

  private cancelDescendants(runId: string, seen: Set<string>): void {
    for (const child of this.queries.unfinishedChildrenOf(runId)) {
      if (seen.has(child.id)) continue;
      seen.add(child.id);
      this.cancelDescendants(child.id, seen);
      if (!isTerminalRunStatus(this.get(child.id).status)) this.cancelOne(child.id, 'parent_cancelled');
    }
  }

  private cancelOne(runId: string, reason: string): void {
    const entry = this.active.get(runId);
    if (entry) {
      this.finish(runId, entry, 'cancelled', { reason });
    } else {
      this.log.transaction(() => this.transition(runId, 'cancelled', { reason }));
    }
  }

  /** Cancels every active run (the app is quitting). */
  cancelAll(reason: string): void {
    for (const runId of [...this.active.keys()]) if (this.active.has(runId)) this.cancel(runId, reason);
  }

  /** Cancels every active run and ends any run started from now on at once, `cancelled` with `reason`. */
  close(reason: string): void {
    this.closedReason = reason;
    this.cancelAll(reason);
  }

  /**
   * Ends runs a dead process left unfinished: `failed`, reason `interrupted`. Returns their ids.
   * `closeOpenWork` closes what each left open (streaming messages, pending requests) in the same transaction.
   */
  recoverInterrupted(closeOpenWork: (runId: string) => void): string[] {
    const unfinished = this.queries.listUnfinished().filter((run) => !this.active.has(run.id));
    this.log.transaction(() => {
      for (const run of unfinished) {
        closeOpenWork(run.id);
        this.transition(run.id, 'failed', { reason: 'interrupted', error: 'the app stopped while this run was in progress' });
      }
    });
    return unfinished.map((run) => run.id);
  }

  /**
   * Ends an active run: what it deferred, its end steps and its final status, in one transaction.
   * If that rolls back (an end step threw, the database refused a write), nothing of it was
   * published, and the run still ends: again with what it deferred, each end step as a step of its
   * own (one that throws loses only its own appends), and `failed` saying why it could not end as it
   * should. Never throws: it runs from timers, the queue and a cancel's cascade, where an error would
   * end the process or leave the runs after this one alone.
   *
   * Inside a caller's transaction each attempt is a step of it (a savepoint), so an attempt that
   * rolls back takes back all it wrote and the next one writes it once. If the caller's transaction
   * rolls back after all, so does the run's end: as soon as it has, the run ends again, in a
   * transaction of its own.
   */
  private finish(runId: string, entry: ActiveRun, status: RunStatus, detail: { reason?: string | null; error?: string | null }): void {
    this.active.delete(runId);
    entry.controller.abort(status === 'done' ? RUN_DONE : new AppError('conflict', `run ${runId} ${status}`));
    const deferred = entry.deferred.splice(0);
    const started = entry.started;
    this.end(runId, entry, status, detail, deferred);
    if (!this.log.insideTransaction()) return;
    // Transactions are synchronous: by the next microtask the caller's has committed or rolled back.
    queueMicrotask(() => {
      if (!this.endable(runId)) return;
      entry.started = started;
      this.end(runId, entry, status, detail, deferred);
    });
  }

  private end(runId: string, entry: ActiveRun, status: RunStatus, detail: { reason?: string | null; error?: string | null }, deferred: readonly (() => void)[]): void {
    const started = entry.started;
    let failure: unknown;
    try {
      this.log.atomic(() => {
        this.flushDeferred(runId, entry, deferred);
        for (const step of entry.endSteps) step(status);
        this.transition(runId, status, detail);
      });
      return;
    } catch (err) {
      entry.started = started;
      failure = err;
    }
    if (!this.endable(runId)) return;
    const message = (failure as Error)?.message ?? String(failure);
    this.logger.log('error', 'a run could not end as it should; it ends failed', { runId, status, error: String((failure as Error)?.stack ?? failure) });
    const failed = { reason: 'internal', error: `the run could not end (${status}): ${message}` };
    try {
      this.log.atomic(() => {
        this.flushDeferred(runId, entry, deferred);
        for (const step of entry.endSteps) this.step(runId, 'an end step of a run threw', () => step('failed'));
        this.transition(runId, 'failed', failed);
      });
      return;
    } catch (err) {
      entry.started = started;
      this.logger.log('error', 'ending a run failed again; it ends without what it deferred', { runId, error: String((err as Error)?.stack ?? err) });
    }
    try {
      this.log.atomic(() => {
        if (!entry.started) this.transition(runId, 'running');
        this.transition(runId, 'failed', failed);
      });
    } catch (err) {
      // The database refuses every write: the next start marks the run failed (interrupted).
      this.logger.log('error', 'a run could not be marked ended; the next start will', { runId, error: String((err as Error)?.stack ?? err) });
    }
  }

  /** Whether a run can still be ended (it exists and has not ended). */
  private endable(runId: string): boolean {
    const run = this.queries.get(runId);
    return !!run && !isTerminalRunStatus(run.status);
  }

  /**
   * Runs `fn` as a step of the current transaction (a savepoint): a bug in it loses its own appends
   * and is logged; a database error fails the whole write.
   */
  private step(runId: string, what: string, fn: () => void): void {
    try {
      this.log.attempt(fn);
    } catch (err) {
      if (String((err as { code?: unknown })?.code ?? '').startsWith('SQLITE_')) throw err;
      this.logger.log('error', what, { runId, error: String((err as Error)?.stack ?? err) });
    }
  }

  /** Appends the run's `running` if it has not been yet, then `writes` (what it deferred), in order, inside the caller's transaction. */
  private flushDeferred(runId: string, entry: ActiveRun, writes: readonly (() => void)[]): void {
    if (!entry.started) {
      entry.started = true;
      this.transition(runId, 'running');
    }
    // Each a savepoint: a step that throws takes back what it wrote and appended, not the write it
    // rides with (a run's end); a database error is not the step's, and fails the whole write.
    for (const write of writes) this.step(runId, 'a deferred write of a run threw', write);
  }
}
