import { isTerminalRunStatus, type Run, type RunKind } from '../contract/index.js';
import type { EventLog } from '../events/index.js';
import type { Logger } from '../util/index.js';
import type { RunExecutor, RunManager } from './manager.js';
import { WaitingRuns, type StartMark, type WaitingRun } from './waiting.js';

/** How many runs of each kind may run at once, and of all kinds together (null: no cap). */
export interface RunLimits {
  perKind: Partial<Record<RunKind, number>>;
  total: number | null;
}

/**
 * Chat answers one message at a time, so each turn sees the replies before it. Background kinds
 * run beside it; a kind not listed here runs one at a time.
 */
export const DEFAULT_RUN_LIMITS: RunLimits = { perKind: { chat: 1, schedule: 2, worker: 4, memory: 1 }, total: null };

/** What a capability hands the queue to have a run of its kind done. */
export interface EnqueueInput<T = void> {
  kind: RunKind;
  /** Shown in lists; the first 200 characters are kept. */
  title: string;
  /**
   * The thread the run reads its history from and writes into. Default: the chat's for a chat run,
   * one of its own (`<kind>:<runId>`) for any other; a schedule's runs share `schedule:<id>`.
   */
  threadId?: string;
  /** The run that started this one: cancelling it cancels this one too. */
  parentRunId?: string | null;
  /** `user`: a person is waiting for it (a chat message) and it goes first. Default `background`. */
  priority?: 'user' | 'background';
  /**
   * Runs in the transaction that creates the run, so the run and its input (the user's message, a
   * schedule's prompt) appear together or not at all. What it returns is handed to `executor`.
   */
  input?: (runId: string) => T;
  /** Builds the run's work when it starts, so it reads the world as it is then (history, tools). */
  executor: (runId: string, input: T) => RunExecutor;
  /**
   * Runs of one kind take turns by group (a schedule's id, a parent run), oldest waiting first
   * within a group, so one busy source cannot starve the others. Default: one group per kind.
   */
  group?: string;
}

interface Waiting extends WaitingRun {
  start: () => RunExecutor;
}

/** A run started inside a transaction (`startInTransaction`), and what its start changed in the turns. */
interface Claim {
  run: Waiting;
  mark: StartMark;
}

/**
 * One queue for every kind of run. A run waits `queued` until its kind (and the total) has room;
 * then the user's own runs go first, the other kinds take turns (the kind and group that started a
 * run longest ago goes next), and within a group the oldest waits least. `idle()` covers all of it.
 * Waiting runs are indexed (`WaitingRuns`): finding the next one costs O(log n), not a look at every
 * run that waits, so a long backlog starts as fast as a short one.
 */
export class RunQueue {
  private readonly waiting = new WaitingRuns<Waiting>();
  /** Waiting runs not yet seen `queued` in the database (their creating transaction may still roll back). */
  private readonly unconfirmed = new Set<Waiting>();
  private readonly running = new Map<RunKind, number>();
  private totalRunning = 0;
  private limits: RunLimits;
  private order = 0;
  private pumpScheduled = false;
  /**
   * Runs started inside a transaction (`startInTransaction`) whose work begins once it has committed,
   * oldest first. Those of a transaction that rolled back are always the newest: each call undoes
   * them before it starts anything, and so does the pump.
   */
  private readonly claimed: Claim[] = [];
  /** Each launched run until its slot is given back and the next runs have started. */
  private readonly launched = new Set<Promise<void>>();
  private closed = false;
  /** Who waits for a run to end (`ended`): run id -> resolvers. */
  private readonly endWaiters = new Map<string, ((run: Run) => void)[]>();

  constructor(
    private readonly runs: RunManager,
    private readonly log: EventLog,
    private readonly logger: Logger,
    limits: Partial<RunLimits> = {},
  ) {
    this.limits = { perKind: { ...DEFAULT_RUN_LIMITS.perKind, ...limits.perKind }, total: limits.total === undefined ? DEFAULT_RUN_LIMITS.total : limits.total };
    // A waiting run cancelled (or failed) from anywhere leaves the queue at once.
    log.subscribe(log.head(), (event) => {
      if (event.type !== 'run.status' || !isTerminalRunStatus(event.data.to) || !event.runId) return;
      const w = this.waiting.get(event.runId);
      if (w) {
        this.waiting.delete(w.runId);
        this.unconfirmed.delete(w);
        this.schedulePump();
      }
      const waiters = this.endWaiters.get(event.runId);
      if (waiters) {
        this.endWaiters.delete(event.runId);
        const run = this.runs.get(event.runId);
        for (const resolve of waiters) resolve(run);
      }
    });
  }

  /**
   * Creates a run of `kind` (with its input, in one transaction) and queues it. May be called inside
   * a log transaction: the run starts only after that commits. Returns the run's id and what `input` returned.
   */
  enqueue<T = void>(input: EnqueueInput<T>): { runId: string; input: T } {
    const { runId, made } = this.log.transaction(() => {
      const runId = this.runs.create({ kind: input.kind, title: input.title, parentRunId: input.parentRunId ?? null, threadId: input.threadId });
      return { runId, made: input.input ? input.input(runId) : (undefined as T) };
    });
    const waiting: Waiting = {
      runId,
      kind: input.kind,
      group: `${input.kind}/${input.group ?? ''}`,
      priority: input.priority ?? 'background',
      order: ++this.order,
      start: () => input.executor(runId, made),
    };
    this.waiting.add(waiting);
    this.unconfirmed.add(waiting);
    this.schedulePump();
    return { runId, input: made };
  }

  /**
   * Inside a log transaction: starts now, in this transaction, the runs the queue would start next,
   * the runs queued in it included (a batch of scheduled slots), so each run's creation and its
   * `running` commit together instead of one after the other. The order and limits are the queue's
   * own; a run's work begins once the transaction has committed. If it rolls back, its runs go back
   * to where they waited and their kinds and groups get their turns back: the queue goes on exactly
   * as if the transaction had never happened. Call it at the end of the transaction, not inside a
   * step that may be undone on its own.
   */
  startInTransaction(): void {
    if (this.closed) return;
    this.undoRolledBack();
    for (;;) {
      const next = this.waiting.next((kind) => this.canStart(kind));
      if (!next) return;
      this.unconfirmed.delete(next);
      if (this.statusOf(next.runId) !== 'queued') {
        this.waiting.delete(next.runId);
        continue;
      }
      this.runs.markRunning(next.runId);
      this.claimed.push({ run: next, mark: this.take(next) });
      this.schedulePump();
    }
  }

  /**
   * Settles with the run once it has ended, however (done, failed, cancelled while it waited or ran).
   * Call it after the transaction that created the run has committed.
   */
  ended(runId: string): Promise<Run> {
    const run = this.runs.get(runId);
    if (isTerminalRunStatus(run.status)) return Promise.resolve(run);
    return new Promise((resolve) => {
      const waiters = this.endWaiters.get(runId) ?? [];
      waiters.push(resolve);
      this.endWaiters.set(runId, waiters);
    });
  }

  /** Changes how many runs of a kind (or in all) may run at once; runs already running go on. */
  setLimit(kind: RunKind | 'total', limit: number | null): void {
    if (kind === 'total') this.limits = { ...this.limits, total: limit };
    else this.limits = { ...this.limits, perKind: { ...this.limits.perKind, [kind]: Math.max(1, limit ?? 1) } };
    this.schedulePump();
  }

  currentLimits(): RunLimits {
    return { perKind: { ...this.limits.perKind }, total: this.limits.total };
  }

  /** Runs waiting for room, in the order they would start now. */
  queued(): { runId: string; kind: RunKind }[] {
    this.undoRolledBack();
    this.prune();
    return [...this.waiting.values()].sort((a, b) => this.waiting.compare(a, b)).map((w) => ({ runId: w.runId, kind: w.kind }));
  }

  /** How many groups the queue keeps a turn for: never more than the groups with a run waiting or running. */
  rememberedGroups(): number {
    return this.waiting.rememberedGroups;
  }

  /** Settles when nothing waits and nothing runs (of any kind); null when that is already so. */
  idle(): Promise<void> | null {
    if (!this.busy()) return null;
    return (async () => {
      while (this.busy()) {
        const running = [...this.launched, this.runs.idle()].filter((p): p is Promise<void> => !!p);
        if (running.length) await Promise.allSettled(running);
        // Nothing runs, but the pump has not had its turn yet (runs were just queued).
        else {
          this.schedulePump();
          await new Promise<void>((resolve) => queueMicrotask(resolve));
        }
      }
    })();
  }

  private busy(): boolean {
    this.prune();
    return this.launched.size > 0 || this.runs.idle() !== null || (this.waiting.size > 0 && (this.pumpScheduled || this.canStartAny()));
  }

  /** Stops starting runs: what waits is cancelled with `reason` (the app is closing). */
  close(reason: string): void {
    this.closed = true;
    this.launchClaimed();
    const waiting = [...this.waiting.values()];
    for (const w of waiting) this.waiting.delete(w.runId);
    this.unconfirmed.clear();
    for (const w of waiting) {
      if (this.statusOf(w.runId) === 'queued') this.runs.cancel(w.runId, reason);
    }
  }

  private limitOf(kind: RunKind): number {
    return this.limits.perKind[kind] ?? 1;
  }

  private canStart(kind: RunKind): boolean {
    if (this.limits.total !== null && this.totalRunning >= this.limits.total) return false;
    return (this.running.get(kind) ?? 0) < this.limitOf(kind);
  }

  private canStartAny(): boolean {
    for (const kind of this.waiting.kinds()) if (this.canStart(kind)) return true;
    return false;
  }

  /**
   * Drops waiting runs that are no longer `queued`: created in a transaction that rolled back, or
   * ended before their creation was seen. Each is read once; after that the `run.status` listener
   * takes it out when it ends, so a long queue is not read again at every start.
   */
  private prune(): void {
    if (!this.unconfirmed.size) return;
    for (const w of this.unconfirmed) {
      if (this.statusOf(w.runId) !== 'queued') this.waiting.delete(w.runId);
    }
    this.unconfirmed.clear();
  }

  private statusOf(runId: string): string | null {
    try {
      return this.runs.get(runId).status;
    } catch {
      return null;
    }
  }

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    queueMicrotask(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  /** Runs started in a transaction: their work begins if it committed; a rolled-back one gives its room and its turn back. */
  private launchClaimed(): void {
    this.undoRolledBack();
    for (const { run, mark } of this.claimed.splice(0)) {
      const status = this.statusOf(run.runId);
      if (status === 'running' && !this.closed) {
        this.launch(run, true);
        continue;
      }
      if (status === 'queued' || status === null) {
        this.unclaim({ run, mark }, status);
        continue;
      }
      this.release(run);
      if (status === 'running') this.runs.cancel(run.runId, 'app_closed');
    }
  }

  /**
   * Undoes the starts of a transaction that rolled back (the run is `queued` again, or gone with its
   * creation), newest first, so the turns go back exactly as they were before it. They are the newest
   * claims: starts are only made after the claims before them were settled.
   */
  private undoRolledBack(): void {
    for (let last = this.claimed.at(-1); last; last = this.claimed.at(-1)) {
      const status = this.statusOf(last.run.runId);
      if (status !== 'queued' && status !== null) return;
      this.claimed.pop();
      this.unclaim(last, status);
    }
  }

  private unclaim(claim: Claim, status: 'queued' | null): void {
    this.running.set(claim.run.kind, (this.running.get(claim.run.kind) ?? 1) - 1);
    this.totalRunning--;
    // Back where it waited (the head of its lane), before its group's turn is put back.
    if (status === 'queued' && !this.waiting.has(claim.run.runId)) this.waiting.add(claim.run);
    this.waiting.unstart(claim.mark);
    this.schedulePump();
  }

  private pump(): void {
    this.launchClaimed();
    this.prune();
    for (;;) {
      const next = this.waiting.next((kind) => this.canStart(kind));
      if (!next) return;
      // Read once more as it leaves: a run whose transaction rolled back after the last prune never starts.
      if (this.statusOf(next.runId) !== 'queued') {
        this.waiting.delete(next.runId);
        continue;
      }
      if (this.closed) {
        this.waiting.delete(next.runId);
        this.runs.cancel(next.runId, 'app_closed');
        continue;
      }
      this.take(next);
      this.launch(next);
    }
  }

  /** Takes a waiting run out and counts it as running; its kind and group go to the back of the turns. */
  private take(w: Waiting): StartMark {
    this.running.set(w.kind, (this.running.get(w.kind) ?? 0) + 1);
    this.totalRunning++;
    return this.waiting.start(w.runId);
  }

  private release(w: Waiting): void {
    this.running.set(w.kind, (this.running.get(w.kind) ?? 1) - 1);
    this.totalRunning--;
    this.waiting.ended(w);
  }

  private launch(w: Waiting, marked = false): void {
    let executor: RunExecutor;
    try {
      executor = w.start();
    } catch (err) {
      executor = async () => {
        throw err;
      };
    }
    const done: Promise<void> = this.runs
      .start(w.runId, executor, marked)
      .then(
        () => undefined,
        (err) => this.logger.log('error', 'a run could not start', { runId: w.runId, error: String(err) }),
      )
      .finally(() => {
        this.release(w);
        this.launched.delete(done);
        this.pump();
      });
    this.launched.add(done);
  }
}
