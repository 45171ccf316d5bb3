import { AppError, type FireTrigger, type PauseReason, type RunStatus } from '../contract/index.js';
import type { EventLog } from '../events/index.js';
import type { Clock, Logger } from '../util/index.js';
import { compileTiming, dueSlots, type DueSlots, type Timing } from './next-run.js';
import { backoffDelay, planSlots, type SlotGroup } from './plan.js';
import { SlotAlreadyRecordedError, type ScheduleQueries, type ScheduleState } from './store.js';
import { WakeTimer, type WakeReason } from './timer.js';

/** How a scheduled run ended, as far as the scheduler cares. */
export interface LaunchEnd {
  status: RunStatus;
  reason?: string | null;
  error?: string | null;
}

/** Starts the runs of slots: the scheduler decides when, the launcher decides how a run is made. */
export interface ScheduleLauncher {
  /** Creates the run of a slot inside the transaction that records the slot; returns the run's id. */
  create(schedule: ScheduleState, slot: number, trigger: FireTrigger): string;
  /**
   * Called at the end of a transaction that created runs: starts, in it, those that have room now,
   * so a slot's record, its run and the run's start commit together.
   */
  startInTransaction?(): void;
  /** Resolves when a created run has ended (it may wait its turn in the run queue first). */
  start(runId: string, schedule: ScheduleState): Promise<LaunchEnd>;
}

export interface SchedulerOptions {
  /** A slot found this late or less still runs on time; a later one was missed. */
  graceMs: number;
  /** Slots listed one by one per wake; older ones are recorded as a stretch. */
  listLimit: number;
  /** The timer wakes at least this often to notice a sleep or a clock change. */
  maxSleepMs: number;
  jumpToleranceMs: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  /** After this many failed runs in a row a schedule pauses itself and says so. */
  pauseAfterFailures: number;
  /**
   * Due schedules handled per transaction. When more are due at once (a wake after a long sleep),
   * the rest follow in batches of this size with a turn of the event loop between them, so the app
   * keeps answering while a backlog is worked off.
   */
  wakeBatch: number;
}

export const DEFAULT_SCHEDULER_OPTIONS: SchedulerOptions = {
  graceMs: 60_000,
  listLimit: 1000,
  maxSleepMs: 30_000,
  jumpToleranceMs: 5_000,
  backoffBaseMs: 30_000,
  backoffCapMs: 60 * 60_000,
  pauseAfterFailures: 5,
  wakeBatch: 25,
};

export interface ScheduleNotice {
  title: string;
  body: string;
  runId?: string;
  scheduleId: string;
  kind: 'succeeded' | 'failed' | 'paused';
}

export interface SchedulerDeps {
  log: EventLog;
  queries: ScheduleQueries;
  clock: Clock;
  logger: Logger;
  launcher: ScheduleLauncher;
  notify?: (notice: ScheduleNotice) => void;
  options?: Partial<SchedulerOptions>;
}

/**
 * Fires schedules from their persisted `next_run_at` with one timer: each due slot is planned
 * (on time, missed, skipped, queued), recorded and, when it runs, given its run in the same
 * transaction, before the run starts. A schedule never runs twice at once; failures back off and,
 * after too many in a row, pause the schedule.
 */
export class SchedulerEngine {
  readonly options: SchedulerOptions;
  private readonly timer: WakeTimer;
  private readonly timings = new Map<string, { key: string; timing: Timing }>();
  /** Runs of schedules this process started and that have not ended: schedule id -> run id. */
  private readonly active = new Map<string, string>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private started = false;
  private waking = false;
  /** Working off more due schedules than one batch, between batches; null when not. */
  private draining: Promise<void> | null = null;
  /** Runs created in the batch being handled, started once it has committed. */
  private readonly toBegin: { schedule: ScheduleState; runId: string }[] = [];
  /** The last wake and why it happened (a sleep or clock jump shows here). */
  lastWake: { reason: WakeReason; at: number; driftMs: number } | null = null;

  constructor(private readonly deps: SchedulerDeps) {
    this.options = { ...DEFAULT_SCHEDULER_OPTIONS, ...deps.options };
    this.timer = new WakeTimer(deps.clock, (reason, drift) => this.wake(reason, drift), { maxSleepMs: this.options.maxSleepMs, jumpToleranceMs: this.options.jumpToleranceMs });
  }

  /** Continues slots a previous process left waiting, handles everything due, arms the timer. */
  start(): void {
    this.started = true;
    for (const id of this.deps.queries.schedulesWithQueued()) this.promoteNext(id);
    this.wake('start');
  }

  stop(): void {
    this.started = false;
    this.timer.disarm();
  }

  /** Settles when every scheduled run this process started has ended (and what followed it); null when none is in flight. */
  idle(): Promise<void> | null {
    if (!this.inFlight.size) return null;
    return (async () => {
      while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    })();
  }

  isRunning(scheduleId: string): boolean {
    return this.active.has(scheduleId);
  }

  /** When the timer fires next, or null when it is not armed. */
  nextWakeAt(): number | null {
    return this.timer.nextWakeAt;
  }

  timingOf(schedule: Pick<ScheduleState, 'id' | 'spec' | 'specSince'>): Timing {
    const key = `${schedule.specSince}:${JSON.stringify(schedule.spec)}`;
    const cached = this.timings.get(schedule.id);
    if (cached?.key === key) return cached.timing;
    const timing = compileTiming(schedule.spec, schedule.specSince);
    this.timings.set(schedule.id, { key, timing });
    return timing;
  }

  forget(scheduleId: string): void {
    this.timings.delete(scheduleId);
  }

  /**
   * Handles every schedule due now, then arms the timer on the earliest next one. Up to `wakeBatch`
   * due schedules are handled at once, in one transaction; when more are due, the rest follow in
   * batches with a turn of the event loop between them (`idle()` covers them), each batch reading
   * the store again, so nothing a command changed in between is missed.
   */
  wake(reason: WakeReason, driftMs = 0): void {
    if (!this.started || this.waking) return;
    const now = this.deps.clock.now();
    this.lastWake = { reason, at: now, driftMs };
    if (reason === 'clock_jump' || reason === 'resume') this.deps.logger.log('info', 'scheduler woke after a sleep or clock change', { reason, driftMs });
    // A drain in progress reads every due schedule before each batch: this wake is part of it.
    if (this.draining) return;
    if (this.handleBatch(now)) return this.arm();
    this.timer.disarm();
    const drain = (async () => {
      for (;;) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (!this.started || this.handleBatch(this.deps.clock.now())) return;
      }
    })()
      .catch((err: unknown) => this.deps.logger.log('error', 'scheduler failed while working off due schedules', { error: String((err as Error)?.stack ?? err) }))
      .finally(() => {
        this.draining = null;
        this.arm();
      });
    this.draining = drain;
    this.inFlight.add(drain);
    void drain.finally(() => this.inFlight.delete(drain));
  }

  /** Whether more due schedules than one batch are being worked off. */
  get backlog(): boolean {
    return this.draining !== null;
  }

  /** Re-arms the timer after a change (a schedule added, edited, paused). */
  arm(): void {
    if (this.started && !this.draining) this.timer.arm(this.deps.queries.earliestDue());
  }

  /** Handles up to one batch of due schedules in one transaction, then starts their runs; true when that was all that was due. */
  private handleBatch(now: number): boolean {
    this.waking = true;
    try {
      const batch = this.options.wakeBatch;
      const due = this.deps.queries.due(now, Number.isFinite(batch) ? batch : -1);
      if (!due.length) return true;
      this.toBegin.length = 0;
      try {
        // Each schedule's step touches only its own rows, so the rows read for the batch stay true through it.
        this.deps.log.transaction(() => {
          for (const schedule of due) this.handleDue(schedule, now);
          if (this.toBegin.length) this.deps.launcher.startInTransaction?.();
        });
      } catch (err) {
        this.toBegin.length = 0;
        throw err;
      }
      for (const { schedule, runId } of this.toBegin.splice(0)) this.begin(schedule, runId);
      return due.length < batch;
    } finally {
      this.waking = false;
    }
  }

  /**
   * Plans and records the due slots of one schedule inside the batch's transaction, as a step of
   * its own: a slot another wake recorded already undoes only this schedule's step, and nothing fires twice.
   */
  private handleDue(schedule: ScheduleState, now: number): void {
    if (schedule.nextRunAt === null) return;
    const open = this.deps.queries.openSlots(schedule.id);
    const plan = planSlots({
      timing: this.timingOf(schedule),
      nextRunAt: schedule.nextRunAt,
      backoffUntil: schedule.backoffUntil,
      missed: schedule.missed,
      catchUpLimit: schedule.catchUpLimit,
      overlap: schedule.overlap,
      busy: this.active.has(schedule.id) || open.some((s) => s.status === 'running'),
      waiting: open.filter((s) => s.status === 'queued').length,
      now,
      graceMs: this.options.graceMs,
      listLimit: this.options.listLimit,
    });
    const pointer = { nextRunAt: plan.nextRunAt, dueAt: plan.nextRunAt === null ? null : Math.max(plan.nextRunAt, schedule.backoffUntil ?? 0) };
    try {
      this.deps.log.attempt(() => {
        for (const group of plan.record) this.appendSlots(schedule.id, group, pointer);
        if (plan.fire) {
          const runId = this.deps.launcher.create(schedule, plan.fire.slot, plan.fire.trigger);
          this.deps.log.append('schedule.fired', { scheduleId: schedule.id, slot: plan.fire.slot, trigger: plan.fire.trigger, ...pointer }, runId);
          this.toBegin.push({ schedule, runId });
        }
        for (const q of plan.queue) this.deps.log.append('schedule.queued', { scheduleId: schedule.id, slot: q.slot, trigger: q.trigger, ...pointer });
        if (!plan.record.length && !plan.fire && !plan.queue.length) this.appendSlots(schedule.id, { status: 'skipped', reason: 'none', slots: [], older: null }, pointer);
      });
    } catch (err) {
      if (!(err instanceof SlotAlreadyRecordedError)) throw err;
      if (this.toBegin.at(-1)?.schedule === schedule) this.toBegin.pop();
      // Another wake recorded these slots already: nothing fires twice. Move on from now.
      this.deps.logger.log('warn', 'a due slot was already recorded; not fired again', { scheduleId: schedule.id, error: err.message });
      const next = this.timingOf(schedule).next(now);
      this.appendSlots(schedule.id, { status: 'skipped', reason: 'none', slots: [], older: null }, { nextRunAt: next, dueAt: next });
    }
  }

  /** Appends `schedule.slots` events for a group, at most 1,000 slots each. */
  appendSlots(scheduleId: string, group: SlotGroup, pointer: { nextRunAt: number | null; dueAt: number | null }): void {
    const range = group.older ? { from: group.older.from, to: group.older.to, count: group.older.count } : null;
    let first = true;
    for (let i = 0; i < group.slots.length || first; i += 1000) {
      this.deps.log.append('schedule.slots', { scheduleId, status: group.status, reason: group.reason, slots: group.slots.slice(i, i + 1000), range: first ? range : null, ...pointer });
      first = false;
    }
  }

  /** Records slots that passed between `from` (a slot) and now as `status`, without a run. */
  recordPassed(schedule: ScheduleState, from: number, now: number, reason: string, pointer: { nextRunAt: number | null; dueAt: number | null }): void {
    const due: DueSlots = dueSlots(this.timingOf(schedule), from, now, this.options.listLimit);
    if (due.slots.length || due.older) this.appendSlots(schedule.id, { status: 'skipped', reason, slots: due.slots, older: due.older }, pointer);
  }

  /** Starts a run of a schedule now, outside its timing. */
  runNow(schedule: ScheduleState): string {
    if (this.active.has(schedule.id) || this.deps.queries.openSlots(schedule.id).some((s) => s.status === 'running')) {
      throw new AppError('conflict', `schedule ${schedule.name} is running now; try again when its run has ended`);
    }
    const now = this.deps.clock.now();
    let runId = '';
    try {
      this.deps.log.transaction(() => {
        runId = this.deps.launcher.create(schedule, now, 'manual');
        this.deps.log.append('schedule.fired', { scheduleId: schedule.id, slot: now, trigger: 'manual', nextRunAt: schedule.nextRunAt, dueAt: schedule.dueAt }, runId);
        this.deps.launcher.startInTransaction?.();
      });
    } catch (err) {
      if (err instanceof SlotAlreadyRecordedError) throw new AppError('conflict', 'a slot of this schedule fired at this very moment; try again');
      throw err;
    }
    this.begin(schedule, runId);
    return runId;
  }

  /** Pauses a schedule; slots waiting their turn are recorded as skipped. */
  pause(schedule: ScheduleState, reason: PauseReason): void {
    const waiting = this.deps.queries.openSlots(schedule.id).filter((s) => s.status === 'queued');
    this.deps.log.transaction(() => {
      this.deps.log.append('schedule.paused', { scheduleId: schedule.id, reason });
      if (waiting.length) this.appendSlots(schedule.id, { status: 'skipped', reason: 'paused', slots: waiting.map((s) => s.slot), older: null }, { nextRunAt: schedule.nextRunAt, dueAt: schedule.dueAt });
    });
    this.arm();
  }

  /** Resumes a paused schedule from now: slots it slept through are recorded as skipped (`paused`). */
  resume(schedule: ScheduleState): void {
    const now = this.deps.clock.now();
    const timing = this.timingOf(schedule);
    const passed = schedule.nextRunAt !== null && schedule.nextRunAt <= now;
    const nextRunAt = passed ? timing.next(now) : schedule.nextRunAt;
    const pointer = { nextRunAt, dueAt: nextRunAt };
    this.deps.log.transaction(() => {
      if (passed && schedule.nextRunAt !== null) this.recordPassed(schedule, schedule.nextRunAt, now, 'paused', pointer);
      this.deps.log.append('schedule.resumed', { scheduleId: schedule.id, ...pointer });
    });
    this.arm();
  }

  private begin(schedule: ScheduleState, runId: string): void {
    this.active.set(schedule.id, runId);
    const p = this.deps.launcher
      .start(runId, schedule)
      .then(
        (end) => this.ended(schedule.id, runId, end),
        (err: unknown) => {
          this.deps.logger.log('error', 'scheduled run could not be started', { scheduleId: schedule.id, runId, error: String(err) });
          this.ended(schedule.id, runId, { status: 'failed', error: String(err) });
        },
      )
      .catch((err: unknown) => this.deps.logger.log('error', 'scheduler failed after a run ended', { scheduleId: schedule.id, runId, error: String((err as Error)?.stack ?? err) }));
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private ended(scheduleId: string, runId: string, end: LaunchEnd): void {
    if (this.active.get(scheduleId) === runId) this.active.delete(scheduleId);
    const schedule = this.deps.queries.get(scheduleId);
    if (!schedule || !this.started) return;
    const ok = end.status === 'done';
    if (ok ? schedule.notify.onSuccess : schedule.notify.onFailure) {
      this.deps.notify?.({
        scheduleId,
        runId,
        kind: ok ? 'succeeded' : 'failed',
        title: ok ? `${schedule.name} finished` : `${schedule.name} failed`,
        body: ok ? 'The scheduled run finished; its result is in the timeline.' : (end.error ?? end.reason ?? 'The scheduled run did not finish.'),
      });
    }
    const failures = schedule.consecutiveFailures;
    // What follows reads the schedule again only when this pauses it or backs it off.
    let current: ScheduleState | null = schedule;
    if (!ok && failures > 0 && schedule.status === 'active') {
      current = null;
      if (failures >= this.options.pauseAfterFailures) {
        this.pause(schedule, 'failures');
        this.deps.notify?.({ scheduleId, runId, kind: 'paused', title: `${schedule.name} paused`, body: `It failed ${failures} times in a row; resume it when the cause is fixed.` });
      } else {
        const until = this.deps.clock.now() + backoffDelay(failures, this.options.backoffBaseMs, this.options.backoffCapMs);
        const waiting = this.deps.queries.openSlots(scheduleId).filter((s) => s.status === 'queued');
        const pointer = { nextRunAt: schedule.nextRunAt, dueAt: schedule.nextRunAt === null ? null : Math.max(schedule.nextRunAt, until) };
        this.deps.log.transaction(() => {
          this.deps.log.append('schedule.backoff', { scheduleId, failures, until, ...pointer });
          if (waiting.length) this.appendSlots(scheduleId, { status: 'skipped', reason: 'backoff', slots: waiting.map((s) => s.slot), older: null }, pointer);
        });
        // The backoff moved when the schedule is due; nothing else a run's end does moves it.
        this.arm();
      }
    }
    this.promoteNext(scheduleId, current ?? this.deps.queries.get(scheduleId));
  }

  /** Starts the oldest slot waiting its turn, when the schedule has no run in flight. */
  private promoteNext(scheduleId: string, schedule = this.deps.queries.get(scheduleId)): void {
    if (!schedule || this.active.has(scheduleId)) return;
    const open = this.deps.queries.openSlots(scheduleId);
    if (open.some((s) => s.status === 'running')) return;
    const next = open.find((s) => s.status === 'queued');
    if (!next) return;
    if (schedule.status === 'paused') {
      this.deps.log.transaction(() => this.appendSlots(scheduleId, { status: 'skipped', reason: 'paused', slots: [next.slot], older: null }, { nextRunAt: schedule.nextRunAt, dueAt: schedule.dueAt }));
      return this.promoteNext(scheduleId);
    }
    let runId = '';
    this.deps.log.transaction(() => {
      runId = this.deps.launcher.create(schedule, next.slot, next.trigger ?? 'queued');
      this.deps.log.append('schedule.fired', { scheduleId, slot: next.slot, trigger: next.trigger ?? 'queued', nextRunAt: schedule.nextRunAt, dueAt: schedule.dueAt }, runId);
      this.deps.launcher.startInTransaction?.();
    });
    this.begin(schedule, runId);
  }
}
