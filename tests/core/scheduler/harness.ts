import { join } from 'node:path';
import { afterEach, beforeEach } from 'node:test';
import { openDatabase, type WritableDB } from '../../../core/db/index.js';
import { EventLog } from '../../../core/events/index.js';
import { RunManager, RunQueries, RunQueue, createRunsProjector, type RunExecutor, type RunLimits } from '../../../core/runs/index.js';
import { ScheduleQueries, ScheduleService, SchedulerEngine, createSchedulesProjector, type ScheduleNotice, type ScheduleState, type SchedulerOptions } from '../../../core/scheduler/index.js';
import { ManualClock } from '../../../core/util/clock.js';
import { createSequentialIds, type Ids } from '../../../core/util/ids.js';
import { silentLogger } from '../../../core/util/logger.js';
import type { AppEvent } from '../../../core/contract/index.js';
import { tempDir } from '../../support/index.js';

export interface HarnessOptions {
  dir: string;
  clock?: ManualClock;
  ids?: Ids;
  options?: Partial<SchedulerOptions>;
  timeZone?: string;
  /** How long a run of this schedule takes on the clock (default 0: it ends at once). */
  runMs?: (schedule: ScheduleState, slot: number) => number;
  /** Whether a run of this schedule fails. */
  fails?: (schedule: ScheduleState, slot: number) => boolean;
  /**
   * Runs go through the real run queue with these limits, as in the app (schedules taking turns,
   * started in the fire's transaction when there is room). Without: every run starts at once.
   */
  runLimits?: Partial<RunLimits>;
}

/**
 * The scheduler on a real database and the real run manager, with runs that take a set time on the
 * injected clock instead of calling a model. Start it with `start()`; `advanceTo` moves the clock
 * from one timer to the next, letting each run's end settle before the next fire.
 */
export class SchedulerHarness {
  readonly clock: ManualClock;
  readonly db: WritableDB;
  readonly log: EventLog;
  readonly runs: RunManager;
  /** The real run queue, when the harness was made with `runLimits`. */
  readonly queue: RunQueue | null;
  readonly queries: ScheduleQueries;
  readonly engine: SchedulerEngine;
  readonly service: ScheduleService;
  readonly notices: ScheduleNotice[] = [];
  readonly events: AppEvent[] = [];
  /** Slot times each run was started for: run id -> slot. */
  readonly started = new Map<string, { scheduleId: string; slot: number; at: number }>();
  readonly recovered: string[];

  constructor(private readonly opts: HarnessOptions) {
    this.clock = opts.clock ?? new ManualClock(Date.parse('2026-01-05T00:00:00Z'));
    this.db = openDatabase({ file: join(opts.dir, 'agent-blob.db') }).db;
    this.log = new EventLog(this.db, this.clock, silentLogger);
    this.log.addProjector(createRunsProjector(this.db));
    this.log.addProjector(createSchedulesProjector(this.db));
    const ids = opts.ids ?? createSequentialIds();
    this.runs = new RunManager(this.log, new RunQueries(this.db), ids, silentLogger);
    this.recovered = this.runs.recoverInterrupted(() => {});
    this.queries = new ScheduleQueries(this.db);
    const slotOf = new Map<string, number>();
    const created: string[] = [];
    const statusOf = (runId: string): string | null => {
      try {
        return this.runs.get(runId).status;
      } catch {
        return null;
      }
    };
    /** A run of the schedule: it takes `runMs` on the clock, or ends at once when cancelled. */
    const execute =
      (runId: string, schedule: ScheduleState, slot: number): RunExecutor =>
      async (ctx) => {
        this.started.set(runId, { scheduleId: schedule.id, slot, at: this.clock.now() });
        const ms = opts.runMs?.(schedule, slot) ?? 0;
        if (ms > 0) {
          await new Promise<void>((resolve) => {
            const timer = this.clock.setTimeout(resolve, ms);
            ctx.signal.addEventListener('abort', () => {
              this.clock.clearTimeout(timer);
              resolve();
            });
          });
        }
        if (ctx.signal.aborted) return { status: 'done' };
        return opts.fails?.(schedule, slot) ? { status: 'failed', reason: 'provider_error', error: 'the model said no' } : { status: 'done' };
      };
    this.queue = opts.runLimits ? new RunQueue(this.runs, this.log, silentLogger, opts.runLimits) : null;
    const queue = this.queue;
    this.engine = new SchedulerEngine({
      log: this.log,
      queries: this.queries,
      clock: this.clock,
      logger: silentLogger,
      notify: (n) => this.notices.push(n),
      options: opts.options,
      // The scheduler module's launcher, with `execute` as the run's work.
      launcher: queue
        ? {
            create: (schedule, slot) =>
              queue.enqueue({ kind: 'schedule', title: schedule.name, group: schedule.id, threadId: `schedule:${schedule.id}`, executor: (runId) => execute(runId, schedule, slot) }).runId,
            startInTransaction: () => queue.startInTransaction(),
            start: (runId) => queue.ended(runId),
          }
        : {
            create: (schedule, slot) => {
              const runId = this.runs.create({ kind: 'schedule', title: schedule.name });
              slotOf.set(runId, slot);
              created.push(runId);
              return runId;
            },
            // No limits here: every run created in the transaction starts in it, as the run queue does when there is room.
            startInTransaction: () => {
              for (const runId of created.splice(0)) if (statusOf(runId) === 'queued') this.runs.markRunning(runId);
            },
            start: (runId, schedule) => this.runs.start(runId, execute(runId, schedule, slotOf.get(runId)!), statusOf(runId) === 'running'),
          },
    });
    this.service = new ScheduleService({ log: this.log, queries: this.queries, engine: this.engine, clock: this.clock, ids, timeZone: opts.timeZone ?? 'UTC' });
    this.log.subscribe(this.log.head(), (e) => this.events.push(e));
  }

  start(): void {
    this.engine.start();
  }

  /** Moves the clock to `target`, stopping at each timer so runs settle between fires. */
  async advanceTo(target: number): Promise<void> {
    await settle();
    for (;;) {
      const now = this.clock.now();
      const next = this.clock.nextTimerAt();
      if (next === null || next > target) break;
      this.clock.advance(Math.max(0, next - now));
      await settle();
    }
    this.clock.advance(Math.max(0, target - this.clock.now()));
    await settle();
  }

  advanceBy(ms: number): Promise<void> {
    return this.advanceTo(this.clock.now() + ms);
  }

  /** Slot rows of a schedule, oldest first. */
  slots(scheduleId: string): { slot: number; status: string; reason: string | null; trigger: string | null; runId: string | null; through: number | null }[] {
    return this.db.prepare('SELECT slot_time AS slot, status, reason, trigger, run_id AS runId, through FROM schedule_slots WHERE schedule_id = ? ORDER BY slot_time').all(scheduleId) as never;
  }

  async close(): Promise<void> {
    this.engine.stop();
    this.queue?.close('app_closed');
    this.runs.cancelAll('app_closed');
    await (this.engine.idle() ?? Promise.resolve());
    await (this.queue?.idle() ?? Promise.resolve());
    this.db.close();
  }
}

/** Lets every promise chain that is ready run to its end. */
export async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

/**
 * Hooks for a describe block: each test gets a temporary folder; the harness it makes with the
 * returned function is made there, and closed and removed after the test.
 */
export function harnessPerTest(): (opts?: Omit<HarnessOptions, 'dir'>) => SchedulerHarness {
  let dir: ReturnType<typeof tempDir> | undefined;
  let h: SchedulerHarness | undefined;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    await h?.close().catch(() => {});
    h = undefined;
    dir?.cleanup();
  });
  return (opts = {}) => (h = new SchedulerHarness({ ...opts, dir: dir!.path }));
}

type AddInput = Parameters<ScheduleService['add']>[0];

/** A schedule as the tests add it: missed slots and overlaps skipped, memory read, no model or budget, notified at both ends; `over` changes any of it. */
export function scheduleInput(name: string, spec: AddInput['spec'], over: Partial<AddInput> = {}): AddInput {
  return { name, prompt: `do ${name}`, spec, missed: 'skip', catchUpLimit: 10, overlap: 'skip', memory: 'read', model: null, budgetTokens: null, budgetCostUsd: null, notify: { onSuccess: true, onFailure: true }, ...over };
}
