import { z } from 'zod';

/**
 * Schedules as clients see them: what runs when, what happens to slots the app could not keep, and
 * the history of every slot. Instants are ISO 8601 strings in UTC (`2026-03-29T07:00:00.000Z`);
 * events carry them as milliseconds.
 */

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export const WeekdaySchema = z.enum(WEEKDAYS);
export type Weekday = z.infer<typeof WeekdaySchema>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** An IANA time zone name (`Europe/Berlin`, `America/New_York`, `UTC`). */
export const TimeZoneSchema = z.string().trim().min(1).max(100).refine(isTimeZone, 'an IANA time zone such as Europe/Berlin');

const isoInstant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 date and time');

/** Shortest interval a schedule may have; the UI warns under a minute. */
export const MIN_INTERVAL_SECONDS = 1;

/** When a schedule's slots fall. `daily` and `cron` follow the wall clock of their zone through DST changes. */
export const ScheduleSpecSchema = z.discriminatedUnion('kind', [
  /** Every N seconds from the moment the schedule was made (or its timing last changed). */
  z.object({ kind: z.literal('interval'), everySeconds: z.number().int().min(MIN_INTERVAL_SECONDS, 'an interval is at least 1 second').max(366 * 86_400) }).strict(),
  /** A cron expression of 5 fields (minute first) or 6 (second first), in a time zone. */
  z.object({ kind: z.literal('cron'), expr: z.string().trim().min(9).max(200), timeZone: TimeZoneSchema }).strict(),
  /** HH:MM on the wall clock of a zone, every day or on the listed weekdays. */
  z
    .object({
      kind: z.literal('daily'),
      time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time is HH:MM, 00:00 to 23:59'),
      days: z.array(WeekdaySchema).max(7),
      timeZone: TimeZoneSchema,
    })
    .strict(),
  /** Once, at an instant. */
  z.object({ kind: z.literal('once'), at: isoInstant }).strict(),
]);
export type ScheduleSpec = z.infer<typeof ScheduleSpecSchema>;

/**
 * A spec as a person writes it: the zone may be left out (the app's zone is used), `days` too (every
 * day), and `once` may name a local time without an offset (read in `timeZone`).
 */
export const ScheduleSpecInputSchema = z.discriminatedUnion('kind', [
  ScheduleSpecSchema.options[0],
  z.object({ kind: z.literal('cron'), expr: z.string().trim().min(9, 'a cron expression has 5 or 6 fields').max(200), timeZone: TimeZoneSchema.optional() }).strict(),
  z
    .object({
      kind: z.literal('daily'),
      time: z.string().regex(/^([01]?\d|2[0-3]):[0-5]\d$/, 'a time is HH:MM, 00:00 to 23:59'),
      days: z.array(WeekdaySchema).max(7).optional(),
      timeZone: TimeZoneSchema.optional(),
    })
    .strict(),
  z.object({ kind: z.literal('once'), at: z.string().trim().min(10).max(40), timeZone: TimeZoneSchema.optional() }).strict(),
]);
export type ScheduleSpecInput = z.input<typeof ScheduleSpecInputSchema>;

/** Slots that passed while the app was closed or the machine slept: recorded and skipped, one catch-up run, or all run (up to `catchUpLimit`). */
export const MissedPolicySchema = z.enum(['skip', 'run_once', 'run_all']);
export type MissedPolicy = z.infer<typeof MissedPolicySchema>;

/** A slot that comes while the schedule's last run is still going: recorded and skipped, or one waits its turn. */
export const OverlapPolicySchema = z.enum(['skip', 'queue_one']);
export type OverlapPolicy = z.infer<typeof OverlapPolicySchema>;

/** What a scheduled run may do with memory: nothing, search it, or search and write it. */
export const MemoryAccessSchema = z.enum(['none', 'read', 'read_write']);
export type MemoryAccess = z.infer<typeof MemoryAccessSchema>;

export const ScheduleStatusSchema = z.enum(['active', 'paused', 'done']);
export type ScheduleStatus = z.infer<typeof ScheduleStatusSchema>;

/** Who paused a schedule: a person (one schedule or all), or the schedule itself after failing too often. */
export const PauseReasonSchema = z.enum(['user', 'all', 'failures']);
export type PauseReason = z.infer<typeof PauseReasonSchema>;

export const ScheduleNotifySchema = z.object({ onSuccess: z.boolean(), onFailure: z.boolean() }).strict();

/** What a scheduled run gets: a model, memory access and a budget. Permission rules scoped `schedule:<id>` apply too. */
const envelopeFields = {
  missed: MissedPolicySchema,
  /** At most this many catch-up runs for `run_all`; older missed slots stay missed. */
  catchUpLimit: z.number().int().min(1).max(100),
  overlap: OverlapPolicySchema,
  memory: MemoryAccessSchema,
  /** `provider:model`, or null for the schedule route's model. */
  model: z.string().min(1).max(200).nullable(),
  budgetTokens: z.number().int().min(1).max(100_000_000).nullable(),
  budgetCostUsd: z.number().min(0).max(10_000).nullable(),
  notify: ScheduleNotifySchema,
};

export const ScheduleSchema = z.object({
  id: z.string(),
  name: z.string(),
  prompt: z.string(),
  spec: ScheduleSpecSchema,
  /** The timing in plain words: "every weekday at 09:00 (Europe/Berlin)". */
  description: z.string(),
  ...envelopeFields,
  status: ScheduleStatusSchema,
  pausedReason: PauseReasonSchema.nullable(),
  /** When it runs next, after any failure backoff; null when paused or done. */
  nextRunAt: z.string().nullable(),
  /** Failure backoff: no slot before this runs. */
  backoffUntil: z.string().nullable(),
  lastRunAt: z.string().nullable(),
  lastRunId: z.string().nullable(),
  /** How the last run ended. */
  lastResult: z.enum(['ran', 'failed']).nullable(),
  lastError: z.string().nullable(),
  consecutiveFailures: z.number().int(),
  /** A run of this schedule is queued or going now. */
  running: z.boolean(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Schedule = z.infer<typeof ScheduleSchema>;

/** What happened to a slot: `pending` is still to come, queued or running. */
export const SlotStatusSchema = z.enum(['ran', 'missed', 'skipped', 'failed', 'pending']);
export type SlotStatus = z.infer<typeof SlotStatusSchema>;

/** How a run came about: its slot on time, a catch-up after missed slots, a slot that waited for the one before, or run-now. */
export const FireTriggerSchema = z.enum(['on_time', 'catch_up', 'queued', 'manual']);
export type FireTrigger = z.infer<typeof FireTriggerSchema>;

/** One slot of a schedule's history (or a stretch of slots when thousands passed at once). */
export const SlotEntrySchema = z.object({
  slot: z.string(),
  status: SlotStatusSchema,
  /**
   * Why: for `missed` the policy (`skip`, `run_once`, `run_all_limit`); for `skipped` `overlap`,
   * `backoff` or `paused`; for `failed` the run's reason; for `pending` `queued`, `running` or `upcoming`.
   */
  reason: z.string().nullable(),
  trigger: FireTriggerSchema.nullable(),
  runId: z.string().nullable(),
  /** The last slot of a stretch recorded as one entry; null for a single slot. */
  through: z.string().nullable(),
  /** How many slots a stretch holds, when known. */
  count: z.number().int().nullable(),
  firedAt: z.string().nullable(),
  endedAt: z.string().nullable(),
  error: z.string().nullable(),
});
export type SlotEntry = z.infer<typeof SlotEntrySchema>;

/** A slot of the audit: `expected` says whether the timing called for it (run-now and old timings are not). */
export const ScheduleAuditEntrySchema = SlotEntrySchema.extend({ expected: z.boolean() });
export type ScheduleAuditEntry = z.infer<typeof ScheduleAuditEntrySchema>;

const id = z.string().min(1).max(200);
const name = z.string().trim().min(1, 'a schedule needs a name').max(200);
const prompt = z.string().trim().min(1, 'a schedule needs a prompt').max(20_000);

const ScheduleInputSchema = z
  .object({
    name,
    prompt,
    spec: ScheduleSpecInputSchema,
    missed: MissedPolicySchema.default('skip'),
    catchUpLimit: envelopeFields.catchUpLimit.default(10),
    overlap: OverlapPolicySchema.default('skip'),
    memory: MemoryAccessSchema.default('read'),
    model: envelopeFields.model.default(null),
    budgetTokens: envelopeFields.budgetTokens.default(null),
    budgetCostUsd: envelopeFields.budgetCostUsd.default(null),
    notify: ScheduleNotifySchema.default({ onSuccess: true, onFailure: true }),
  })
  .strict();
export type ScheduleInput = z.input<typeof ScheduleInputSchema>;

const SchedulePatchSchema = z
  .object({
    scheduleId: id,
    name: name.optional(),
    prompt: prompt.optional(),
    spec: ScheduleSpecInputSchema.optional(),
    missed: MissedPolicySchema.optional(),
    catchUpLimit: envelopeFields.catchUpLimit.optional(),
    overlap: OverlapPolicySchema.optional(),
    memory: MemoryAccessSchema.optional(),
    model: envelopeFields.model.optional(),
    budgetTokens: envelopeFields.budgetTokens.optional(),
    budgetCostUsd: envelopeFields.budgetCostUsd.optional(),
    notify: ScheduleNotifySchema.optional(),
  })
  .strict();
export type SchedulePatch = z.input<typeof SchedulePatchSchema>;

const byId = z.object({ scheduleId: id }).strict();
const isoArg = z.string().trim().refine((s) => !Number.isNaN(Date.parse(s)), 'an ISO 8601 date and time such as 2026-03-01T00:00:00Z');

/** A timing checked and explained before it is saved: the editor's preview. */
export const SchedulePreviewSchema = z.object({
  spec: ScheduleSpecSchema,
  description: z.string(),
  /** The next fire times from now, oldest first. */
  next: z.array(z.string()),
  /** A caution worth showing (an interval under a minute), or null. */
  warning: z.string().nullable(),
});
export type SchedulePreview = z.infer<typeof SchedulePreviewSchema>;

export const SCHEDULE_COMMANDS = {
  /** Makes a schedule; returns it with its id and next run. */
  'schedules.add': () => ({ args: ScheduleInputSchema, result: ScheduleSchema }),
  /** Every schedule, next to run first. */
  'schedules.list': () => ({ args: z.object({}).strict(), result: z.object({ schedules: z.array(ScheduleSchema) }) }),
  /** One schedule. */
  'schedules.get': () => ({ args: byId, result: ScheduleSchema }),
  /** Changes a schedule; a new timing starts counting from now. */
  'schedules.edit': () => ({ args: SchedulePatchSchema, result: ScheduleSchema }),
  /** Stops a schedule firing until it is resumed; a run in flight finishes. */
  'schedules.pause': () => ({ args: byId, result: ScheduleSchema }),
  /** Starts a paused schedule again from now; the slots it slept through are recorded as skipped. */
  'schedules.resume': () => ({ args: byId, result: ScheduleSchema }),
  /** Pauses every active schedule (the tray's "Pause all"). */
  'schedules.pauseAll': () => ({ args: z.object({}).strict(), result: z.object({ paused: z.number().int() }) }),
  /** Resumes every schedule "Pause all" paused. */
  'schedules.resumeAll': () => ({ args: z.object({}).strict(), result: z.object({ resumed: z.number().int() }) }),
  /** Runs a schedule now, outside its timing; a conflict while a run of it is going. */
  'schedules.runNow': () => ({ args: byId, result: z.object({ scheduleId: z.string(), runId: z.string() }) }),
  /** Deletes a schedule and its history; a run in flight finishes. */
  'schedules.remove': () => ({ args: byId, result: z.object({ scheduleId: z.string() }) }),
  /** The schedule's slots, newest first. */
  'schedules.history': () => ({
    args: z.object({ scheduleId: id, limit: z.number().int().min(1).max(10_000).default(100), before: isoArg.optional() }).strict(),
    result: z.object({ entries: z.array(SlotEntrySchema) }),
  }),
  /** Every slot the timing called for between `from` and `to` and what became of it, oldest first. */
  'schedules.audit': () => ({
    args: z.object({ scheduleId: id, from: isoArg, to: isoArg }).strict(),
    result: z.object({ entries: z.array(ScheduleAuditEntrySchema), truncated: z.boolean() }),
  }),
  /** Checks a timing and says in plain words when it fires, with its next fire times. */
  'schedules.preview': () => ({
    args: z.object({ spec: ScheduleSpecInputSchema, count: z.number().int().min(1).max(50).default(5) }).strict(),
    result: SchedulePreviewSchema,
  }),
} as const;

/** A schedule as the event log carries it: instants in milliseconds. */
export const ScheduleRecordSchema = z.object({
  id: z.string(),
  name: z.string(),
  prompt: z.string(),
  spec: ScheduleSpecSchema,
  ...envelopeFields,
  /** Slots of the timing count from here (creation, or the last change of timing). */
  specSince: z.number(),
  nextRunAt: z.number().nullable(),
});
export type ScheduleRecord = z.infer<typeof ScheduleRecordSchema>;

/** Where the schedule's slot pointer is after an event: the next slot to handle and when the timer looks at it. */
const pointer = { nextRunAt: z.number().nullable(), dueAt: z.number().nullable() };

export const SCHEDULE_EVENT_DATA = {
  /** A schedule was made or changed. */
  'schedule.saved': () => z.object({ schedule: ScheduleRecordSchema, created: z.boolean(), ...pointer }),
  /** A schedule was deleted with its history. */
  'schedule.removed': () => z.object({ scheduleId: z.string() }),
  /** A schedule stopped firing. */
  'schedule.paused': () => z.object({ scheduleId: z.string(), reason: PauseReasonSchema }),
  /** A paused schedule fires again. */
  'schedule.resumed': () => z.object({ scheduleId: z.string(), ...pointer }),
  /** A slot's run was created (its row written before the run starts); the event's run is that run. */
  'schedule.fired': () => z.object({ scheduleId: z.string(), slot: z.number(), trigger: FireTriggerSchema, ...pointer }),
  /** A slot waits for the schedule's run in flight (`queue_one`, or `run_all` catch-ups). */
  'schedule.queued': () => z.object({ scheduleId: z.string(), slot: z.number(), trigger: FireTriggerSchema, ...pointer }),
  /** Slots that did not run: `missed` (with the policy) or `skipped` (overlap, backoff, paused); `range` is a stretch too long to list. */
  'schedule.slots': () => z.object({
    scheduleId: z.string(),
    status: z.enum(['missed', 'skipped']),
    reason: z.string(),
    slots: z.array(z.number()).max(1000),
    range: z.object({ from: z.number(), to: z.number(), count: z.number().int().nullable() }).nullable(),
    ...pointer,
  }),
  /** After a failed run the schedule waits before its next slot. */
  'schedule.backoff': () => z.object({ scheduleId: z.string(), failures: z.number().int(), until: z.number(), ...pointer }),
} as const;
