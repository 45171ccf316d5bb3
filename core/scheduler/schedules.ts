import {
  AppError,
  type Schedule,
  type ScheduleAuditEntry,
  type ParsedArgs,
  type SchedulePatch,
  type SchedulePreview,
  type ScheduleRecord,
  ScheduleRecordSchema,
  type ScheduleSpecInput,
  type SlotEntry,
} from '../contract/index.js';
import type { EventLog } from '../events/index.js';
import type { Clock, Ids } from '../util/index.js';
import { auditSlots, slotEntry } from './audit.js';
import { describeSpec } from './describe.js';
import { compileTiming, normalizeSpec, slotsBetween } from './next-run.js';
import type { SchedulerEngine } from './service.js';
import type { ScheduleQueries, ScheduleState } from './store.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const AUDIT_LIMIT = 10_000;

type Defaults = Omit<ParsedArgs<'schedules.add'>, 'name' | 'prompt' | 'spec'>;
const DEFAULTS: Defaults = {
  missed: 'skip',
  catchUpLimit: 10,
  overlap: 'skip',
  memory: 'read',
  model: null,
  budgetTokens: null,
  budgetCostUsd: null,
  notify: { onSuccess: true, onFailure: true },
};

export interface ScheduleServiceDeps {
  log: EventLog;
  queries: ScheduleQueries;
  engine: SchedulerEngine;
  clock: Clock;
  ids: Ids;
  /** The app's zone: the default zone of new timings and the zone `once` is described in. */
  timeZone: string;
}

/** What clients ask of schedules: make, change, pause, run now, remove, and read their history. */
export class ScheduleService {
  constructor(private readonly deps: ScheduleServiceDeps) {}

  get(scheduleId: string): ScheduleState {
    const schedule = this.deps.queries.get(scheduleId);
    if (!schedule) throw new AppError('not_found', `no schedule ${scheduleId}`);
    return schedule;
  }

  list(): Schedule[] {
    const open = this.deps.queries.openCounts();
    return this.deps.queries.list().map((s) => this.toContract(s, (open.get(s.id)?.running ?? 0) > 0));
  }

  show(scheduleId: string): Schedule {
    return this.toContract(this.get(scheduleId));
  }

  add(input: ParsedArgs<'schedules.add'>): Schedule {
    const now = this.deps.clock.now();
    const spec = normalizeSpec(input.spec, this.deps.timeZone, now);
    const id = this.deps.ids.next('sch');
    const record: ScheduleRecord = { ...DEFAULTS, ...stripUndefined(input), id, name: input.name.trim(), prompt: input.prompt.trim(), spec, specSince: now, nextRunAt: null };
    const nextRunAt = compileTiming(spec, now).next(now);
    if (nextRunAt === null) throw new AppError('invalid_input', 'that time has already passed');
    record.nextRunAt = nextRunAt;
    this.deps.log.transaction(() => this.deps.log.append('schedule.saved', { schedule: record, created: true, nextRunAt, dueAt: nextRunAt }));
    this.deps.engine.arm();
    return this.show(id);
  }

  /** Changes a schedule. A new timing counts from now; the old timing's slots stay in the history. */
  edit(patch: SchedulePatch): Schedule {
    const current = this.get(patch.scheduleId);
    const now = this.deps.clock.now();
    const { scheduleId, spec: specInput, ...rest } = patch;
    const record: ScheduleRecord = { ...toRecord(current), ...stripUndefined(rest) };
    let nextRunAt = current.nextRunAt;
    let dueAt = current.dueAt;
    if (specInput) {
      const spec = normalizeSpec(specInput, this.deps.timeZone, now);
      if (JSON.stringify(spec) !== JSON.stringify(current.spec)) {
        record.spec = spec;
        record.specSince = now;
        nextRunAt = compileTiming(spec, now).next(now);
        if (nextRunAt === null) throw new AppError('invalid_input', 'that time has already passed');
        dueAt = nextRunAt;
        this.deps.engine.forget(scheduleId);
      }
    }
    record.nextRunAt = nextRunAt;
    this.deps.log.transaction(() => this.deps.log.append('schedule.saved', { schedule: record, created: false, nextRunAt, dueAt }));
    this.deps.engine.arm();
    return this.show(scheduleId);
  }

  pause(scheduleId: string, reason: 'user' | 'all' = 'user'): Schedule {
    const schedule = this.get(scheduleId);
    if (schedule.status === 'done') throw new AppError('conflict', `schedule ${schedule.name} has no slots left to pause`);
    if (schedule.status === 'active') this.deps.engine.pause(schedule, reason);
    return this.show(scheduleId);
  }

  resume(scheduleId: string): Schedule {
    const schedule = this.get(scheduleId);
    if (schedule.status === 'done') throw new AppError('conflict', `schedule ${schedule.name} has no slots left; give it a new time to use it again`);
    if (schedule.status === 'paused') this.deps.engine.resume(schedule);
    return this.show(scheduleId);
  }

  pauseAll(): number {
    const active = this.deps.queries.list().filter((s) => s.status === 'active');
    for (const s of active) this.deps.engine.pause(s, 'all');
    return active.length;
  }

  resumeAll(): number {
    const paused = this.deps.queries.list().filter((s) => s.status === 'paused' && s.pausedReason === 'all');
    for (const s of paused) this.deps.engine.resume(s);
    return paused.length;
  }

  runNow(scheduleId: string): { scheduleId: string; runId: string } {
    return { scheduleId, runId: this.deps.engine.runNow(this.get(scheduleId)) };
  }

  remove(scheduleId: string): { scheduleId: string } {
    this.get(scheduleId);
    this.deps.log.transaction(() => this.deps.log.append('schedule.removed', { scheduleId }));
    this.deps.engine.forget(scheduleId);
    this.deps.engine.arm();
    return { scheduleId };
  }

  history(scheduleId: string, limit: number, before?: string): SlotEntry[] {
    this.get(scheduleId);
    return this.deps.queries.history(scheduleId, limit, before === undefined ? undefined : Date.parse(before)).map(slotEntry);
  }

  audit(scheduleId: string, from: string, to: string): { entries: ScheduleAuditEntry[]; truncated: boolean } {
    const schedule = this.get(scheduleId);
    const fromMs = Date.parse(from);
    const toMs = Date.parse(to);
    if (toMs < fromMs) throw new AppError('invalid_input', '--to comes before --from');
    const rows = this.deps.queries.inWindow(scheduleId, fromMs, toMs, AUDIT_LIMIT);
    return auditSlots({ schedule, timing: this.deps.engine.timingOf(schedule), rows, from: fromMs, to: toMs, limit: AUDIT_LIMIT });
  }

  /** Checks a timing and explains it: plain words, the next fire times from now, a caution. */
  preview(input: ScheduleSpecInput, count: number): SchedulePreview {
    const now = this.deps.clock.now();
    const spec = normalizeSpec(input, this.deps.timeZone, now);
    const next = slotsBetween(compileTiming(spec, now), now, Number.POSITIVE_INFINITY, count).map((ms) => new Date(ms).toISOString());
    const warning =
      spec.kind === 'interval' && spec.everySeconds < 60
        ? `Every ${spec.everySeconds} second${spec.everySeconds === 1 ? '' : 's'} is very often: each run calls the model and may cost money.`
        : spec.kind === 'once' && next.length === 0
          ? 'That time has already passed.'
          : null;
    return { spec, description: describeSpec(spec, this.deps.timeZone), next, warning };
  }

  toContract(s: ScheduleState, running = this.deps.engine.isRunning(s.id) || this.deps.queries.openSlots(s.id).some((o) => o.status === 'running')): Schedule {
    let nextRunAt = s.status === 'active' ? s.nextRunAt : null;
    if (nextRunAt !== null && s.backoffUntil !== null && s.backoffUntil > nextRunAt) nextRunAt = this.deps.engine.timingOf(s).next(s.backoffUntil - 1);
    const { specSince: _specSince, nextRunAt: _nextRunAt, ...settings } = toRecord(s);
    return {
      ...settings,
      description: describeSpec(s.spec, this.deps.timeZone),
      status: s.status,
      pausedReason: s.pausedReason,
      nextRunAt: iso(nextRunAt),
      backoffUntil: s.backoffUntil !== null && s.backoffUntil > this.deps.clock.now() ? iso(s.backoffUntil) : null,
      lastRunAt: iso(s.lastRunAt),
      lastRunId: s.lastRunId,
      lastResult: s.lastResult,
      lastError: s.lastError,
      consecutiveFailures: s.consecutiveFailures,
      running,
      createdAt: iso(s.createdAt)!,
      updatedAt: iso(s.updatedAt)!,
    };
  }
}

const RECORD_KEYS = ScheduleRecordSchema.keyof().options;

/** The part of a schedule's state the `schedule.saved` event carries, and nothing more. */
function toRecord(s: ScheduleState): ScheduleRecord {
  return Object.fromEntries(RECORD_KEYS.map((key) => [key, s[key]])) as ScheduleRecord;
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as { [K in keyof T]: Exclude<T[K], undefined> };
}
