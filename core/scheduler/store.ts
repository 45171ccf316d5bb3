import type { Statement } from 'better-sqlite3';
import type { AppEvent, FireTrigger, PauseReason, ScheduleRecord, ScheduleStatus } from '../contract/index.js';
import type { ReadableDB, ReadStatement, WritableDB } from '../db/index.js';

/** A schedule as core works with it: the record plus its live state, instants in milliseconds. */
export interface ScheduleState extends ScheduleRecord {
  status: ScheduleStatus;
  pausedReason: PauseReason | null;
  dueAt: number | null;
  backoffUntil: number | null;
  lastRunAt: number | null;
  lastRunId: string | null;
  lastResult: 'ran' | 'failed' | null;
  lastError: string | null;
  consecutiveFailures: number;
  createdAt: number;
  updatedAt: number;
}

/** Internal slot statuses: `queued` waits for the run before it, `running` has a run that has not ended. */
export type SlotRowStatus = 'queued' | 'running' | 'ran' | 'failed' | 'missed' | 'skipped';

export interface SlotRow {
  scheduleId: string;
  slot: number;
  through: number | null;
  count: number | null;
  status: SlotRowStatus;
  reason: string | null;
  trigger: FireTrigger | null;
  runId: string | null;
  seq: number;
  recordedAt: number;
  firedAt: number | null;
  endedAt: number | null;
  error: string | null;
}

type ScheduleRowDb = {
  id: string;
  name: string;
  prompt: string;
  spec: string;
  missed_policy: ScheduleRecord['missed'];
  catch_up_limit: number;
  overlap_policy: ScheduleRecord['overlap'];
  memory: ScheduleRecord['memory'];
  model: string | null;
  budget_tokens: number | null;
  budget_cost_usd: number | null;
  notify: string;
  status: ScheduleStatus;
  paused_reason: PauseReason | null;
  spec_since: number;
  next_run_at: number | null;
  due_at: number | null;
  backoff_until: number | null;
  last_run_at: number | null;
  last_run_id: string | null;
  last_result: 'ran' | 'failed' | null;
  last_error: string | null;
  consecutive_failures: number;
  created_at: number;
  updated_at: number;
};

type SlotRowDb = {
  schedule_id: string;
  slot_time: number;
  through: number | null;
  count: number | null;
  status: SlotRowStatus;
  reason: string | null;
  trigger: FireTrigger | null;
  run_id: string | null;
  seq: number;
  recorded_at: number;
  fired_at: number | null;
  ended_at: number | null;
  error: string | null;
};

/** Thrown when a slot would be recorded twice: the unique key held, the transaction rolls back. */
export class SlotAlreadyRecordedError extends Error {
  constructor(scheduleId: string, slot: number) {
    super(`slot ${new Date(slot).toISOString()} of schedule ${scheduleId} is already recorded`);
    this.name = 'SlotAlreadyRecordedError';
  }
}

/**
 * The schedules projection: the `schedules` and `schedule_slots` tables, kept by the event log in the
 * appending transaction. A run of a slot ending (`run.status`) updates the slot and the schedule's
 * last result and failure count.
 */
export function createSchedulesProjector(db: WritableDB): (event: AppEvent) => void {
  const insertSchedule = db.prepare(
    `INSERT INTO schedules (id, name, prompt, spec, missed_policy, catch_up_limit, overlap_policy, memory, model, budget_tokens, budget_cost_usd, notify,
       status, spec_since, next_run_at, due_at, created_at, updated_at)
     VALUES (@id, @name, @prompt, @spec, @missed, @catchUpLimit, @overlap, @memory, @model, @budgetTokens, @budgetCostUsd, @notify,
       CASE WHEN @nextRunAt IS NULL THEN 'done' ELSE 'active' END, @specSince, @nextRunAt, @dueAt, @ts, @ts)`,
  );
  const updateSchedule = db.prepare(
    `UPDATE schedules SET name = @name, prompt = @prompt, spec = @spec, missed_policy = @missed, catch_up_limit = @catchUpLimit,
       overlap_policy = @overlap, memory = @memory, model = @model, budget_tokens = @budgetTokens, budget_cost_usd = @budgetCostUsd,
       notify = @notify, spec_since = @specSince, next_run_at = @nextRunAt, due_at = @dueAt, updated_at = @ts,
       status = CASE WHEN status = 'paused' THEN 'paused' WHEN @nextRunAt IS NULL THEN 'done' ELSE 'active' END
     WHERE id = @id`,
  );
  const deleteSchedule = db.prepare('DELETE FROM schedules WHERE id = ?');
  const deleteSlots = db.prepare('DELETE FROM schedule_slots WHERE schedule_id = ?');
  const pause = db.prepare("UPDATE schedules SET status = 'paused', paused_reason = ?, updated_at = ? WHERE id = ? AND status = 'active'");
  const resume = db.prepare(
    `UPDATE schedules SET status = CASE WHEN @nextRunAt IS NULL THEN 'done' ELSE 'active' END, paused_reason = NULL, backoff_until = NULL,
       consecutive_failures = 0, next_run_at = @nextRunAt, due_at = @dueAt, updated_at = @ts WHERE id = @id`,
  );
  const movePointer = db.prepare(
    `UPDATE schedules SET next_run_at = @nextRunAt, due_at = @dueAt, updated_at = @ts,
       status = CASE WHEN @nextRunAt IS NULL AND status = 'active' THEN 'done' ELSE status END WHERE id = @id`,
  );
  const fired = db.prepare(
    `UPDATE schedules SET last_run_at = @ts, last_run_id = @runId, next_run_at = @nextRunAt, due_at = @dueAt, updated_at = @ts,
       status = CASE WHEN @nextRunAt IS NULL AND status = 'active' THEN 'done' ELSE status END WHERE id = @id`,
  );
  const setBackoff = db.prepare('UPDATE schedules SET backoff_until = ? WHERE id = ?');
  // A fired slot is new, or one that waited its turn (queued) and now runs; any other row of that slot means it was handled already.
  const fireSlot = db.prepare(
    `INSERT INTO schedule_slots (schedule_id, slot_time, status, trigger, run_id, seq, recorded_at, fired_at)
     VALUES (@scheduleId, @slot, 'running', @trigger, @runId, @seq, @ts, @ts)
     ON CONFLICT (schedule_id, slot_time) DO UPDATE SET status = 'running', run_id = excluded.run_id, fired_at = excluded.fired_at, seq = excluded.seq
     WHERE schedule_slots.status = 'queued'`,
  );
  const insertSlot = db.prepare(
    `INSERT INTO schedule_slots (schedule_id, slot_time, through, count, status, reason, trigger, run_id, seq, recorded_at, fired_at)
     VALUES (@scheduleId, @slot, @through, @count, @status, @reason, @trigger, @runId, @seq, @ts, @firedAt)`,
  );
  // A recorded slot is new, or one that waited its turn and now closes (skipped, missed) without a run.
  const closeSlot = db.prepare(
    `INSERT INTO schedule_slots (schedule_id, slot_time, status, reason, seq, recorded_at)
     VALUES (@scheduleId, @slot, @status, @reason, @seq, @ts)
     ON CONFLICT (schedule_id, slot_time) DO UPDATE SET status = excluded.status, reason = excluded.reason, seq = excluded.seq, ended_at = excluded.recorded_at
     WHERE schedule_slots.status = 'queued'`,
  );
  const endSlot = db.prepare(
    "UPDATE schedule_slots SET status = @status, reason = @reason, error = @error, ended_at = @ts WHERE run_id = @runId AND status = 'running' RETURNING schedule_id",
  );
  const endRun = db.prepare(
    `UPDATE schedules SET last_result = @result, last_error = @error, updated_at = @ts,
       consecutive_failures = CASE WHEN @result = 'ran' THEN 0 WHEN @counts THEN consecutive_failures + 1 ELSE consecutive_failures END
     WHERE id = @id`,
  );

  /** Runs a slot's insert; a slot already recorded (the unique key, or a row that is not waiting) is `SlotAlreadyRecordedError`. */
  const recordSlot = (statement: Statement, params: Record<string, unknown>) => {
    const { scheduleId, slot } = params as { scheduleId: string; slot: number };
    let changes: number;
    try {
      changes = statement.run(params).changes;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new SlotAlreadyRecordedError(scheduleId, slot);
      throw err;
    }
    if (changes === 0) throw new SlotAlreadyRecordedError(scheduleId, slot);
  };

  return (event) => {
    const ts = event.ts;
    switch (event.type) {
      case 'schedule.saved': {
        const s = event.data.schedule;
        const params = { ...s, spec: JSON.stringify(s.spec), notify: JSON.stringify(s.notify), nextRunAt: event.data.nextRunAt, dueAt: event.data.dueAt, ts };
        if (event.data.created) insertSchedule.run(params);
        else updateSchedule.run(params);
        break;
      }
      case 'schedule.removed':
        deleteSlots.run(event.data.scheduleId);
        deleteSchedule.run(event.data.scheduleId);
        break;
      case 'schedule.paused':
        pause.run(event.data.reason, ts, event.data.scheduleId);
        break;
      case 'schedule.resumed':
        resume.run({ id: event.data.scheduleId, nextRunAt: event.data.nextRunAt, dueAt: event.data.dueAt, ts });
        break;
      case 'schedule.fired': {
        const d = event.data;
        recordSlot(fireSlot, { scheduleId: d.scheduleId, slot: d.slot, trigger: d.trigger, runId: event.runId, seq: event.seq, ts });
        fired.run({ id: d.scheduleId, runId: event.runId, nextRunAt: d.nextRunAt, dueAt: d.dueAt, ts });
        break;
      }
      case 'schedule.queued': {
        const d = event.data;
        recordSlot(insertSlot, { scheduleId: d.scheduleId, slot: d.slot, through: null, count: null, status: 'queued', reason: null, trigger: d.trigger, runId: null, seq: event.seq, ts, firedAt: null });
        movePointer.run({ id: d.scheduleId, nextRunAt: d.nextRunAt, dueAt: d.dueAt, ts });
        break;
      }
      case 'schedule.slots': {
        const d = event.data;
        const base = { scheduleId: d.scheduleId, status: d.status, reason: d.reason, seq: event.seq, ts };
        if (d.range) recordSlot(insertSlot, { ...base, slot: d.range.from, through: d.range.to, count: d.range.count, trigger: null, runId: null, firedAt: null });
        for (const slot of d.slots) recordSlot(closeSlot, { ...base, slot });
        movePointer.run({ id: d.scheduleId, nextRunAt: d.nextRunAt, dueAt: d.dueAt, ts });
        break;
      }
      case 'schedule.backoff':
        setBackoff.run(event.data.until, event.data.scheduleId);
        movePointer.run({ id: event.data.scheduleId, nextRunAt: event.data.nextRunAt, dueAt: event.data.dueAt, ts });
        break;
      case 'run.status': {
        const to = event.data.to;
        if ((to !== 'done' && to !== 'failed' && to !== 'cancelled') || !event.runId) break;
        const ok = to === 'done';
        const reason = ok ? null : (event.data.reason ?? to);
        const error = ok ? null : (event.data.error ?? (to === 'cancelled' ? 'cancelled' : 'failed'));
        const row = endSlot.get({ runId: event.runId, status: ok ? 'ran' : 'failed', reason, error, ts }) as { schedule_id: string } | undefined;
        if (!row) break;
        // Only a failure of the run's own counts towards backoff: not a cancel, not the app stopping under it.
        const counts = to === 'failed' && reason !== 'interrupted' ? 1 : 0;
        endRun.run({ id: row.schedule_id, result: ok ? 'ran' : 'failed', error, counts, ts });
        break;
      }
      default:
        break;
    }
  };
}

/** Reads of the schedules projection, prepared once. */
export class ScheduleQueries {
  private readonly byId: ReadStatement;
  private readonly all: ReadStatement;
  private readonly dueRows: ReadStatement;
  private readonly earliest: ReadStatement;
  private readonly open: ReadStatement;
  private readonly allQueued: ReadStatement;
  private readonly newest: ReadStatement;
  private readonly newestBefore: ReadStatement;
  private readonly window: ReadStatement;
  private readonly byRun: ReadStatement;
  private readonly openCount: ReadStatement;

  constructor(db: ReadableDB) {
    this.byId = db.prepare('SELECT * FROM schedules WHERE id = ?');
    this.all = db.prepare('SELECT * FROM schedules ORDER BY next_run_at IS NULL, next_run_at, name, id');
    this.dueRows = db.prepare("SELECT * FROM schedules WHERE status = 'active' AND due_at <= ? ORDER BY due_at LIMIT ?");
    this.earliest = db.prepare("SELECT MIN(due_at) AS at FROM schedules WHERE status = 'active'");
    // Without statistics SQLite would read a schedule's whole history by its primary key to find the
    // one or two open slots (every fire, twice): the open slots have an index of their own.
    this.open = db.prepare("SELECT * FROM schedule_slots INDEXED BY schedule_slots_open WHERE schedule_id = ? AND status IN ('queued', 'running') ORDER BY slot_time");
    this.allQueued = db.prepare("SELECT DISTINCT schedule_id FROM schedule_slots INDEXED BY schedule_slots_open WHERE status IN ('queued', 'running') AND status = 'queued'");
    this.newest = db.prepare('SELECT * FROM schedule_slots WHERE schedule_id = ? ORDER BY slot_time DESC LIMIT ?');
    this.newestBefore = db.prepare('SELECT * FROM schedule_slots WHERE schedule_id = ? AND slot_time < ? ORDER BY slot_time DESC LIMIT ?');
    this.window = db.prepare('SELECT * FROM schedule_slots WHERE schedule_id = ? AND slot_time <= ? AND COALESCE(through, slot_time) >= ? ORDER BY slot_time LIMIT ?');
    this.byRun = db.prepare('SELECT * FROM schedule_slots WHERE run_id = ?');
    this.openCount = db.prepare("SELECT schedule_id, status, COUNT(*) AS n FROM schedule_slots WHERE status IN ('queued', 'running') GROUP BY schedule_id, status");
  }

  get(id: string): ScheduleState | null {
    const row = this.byId.get(id) as ScheduleRowDb | undefined;
    return row ? rowToState(row) : null;
  }

  list(): ScheduleState[] {
    return (this.all.all() as ScheduleRowDb[]).map(rowToState);
  }

  /** Active schedules the timer should look at now, earliest first, at most `limit` (-1: all), read in one statement. */
  due(now: number, limit: number): ScheduleState[] {
    return (this.dueRows.all(now, limit) as ScheduleRowDb[]).map(rowToState);
  }

  /** When the timer should next look at any schedule, or null when none is active. */
  earliestDue(): number | null {
    return (this.earliest.get() as { at: number | null }).at;
  }

  /** The schedule's slots that wait or run, oldest first. */
  openSlots(scheduleId: string): SlotRow[] {
    return (this.open.all(scheduleId) as SlotRowDb[]).map(rowToSlot);
  }

  /** Schedules with slots waiting their turn (after a restart). */
  schedulesWithQueued(): string[] {
    return (this.allQueued.all() as { schedule_id: string }[]).map((r) => r.schedule_id);
  }

  /** Per schedule, whether a run of it is in flight and how many slots wait. */
  openCounts(): Map<string, { running: number; queued: number }> {
    const out = new Map<string, { running: number; queued: number }>();
    for (const row of this.openCount.all() as { schedule_id: string; status: 'queued' | 'running'; n: number }[]) {
      const entry = out.get(row.schedule_id) ?? { running: 0, queued: 0 };
      entry[row.status] = row.n;
      out.set(row.schedule_id, entry);
    }
    return out;
  }

  /** Slot rows, newest first. */
  history(scheduleId: string, limit: number, before?: number): SlotRow[] {
    const rows = before === undefined ? this.newest.all(scheduleId, limit) : this.newestBefore.all(scheduleId, before, limit);
    return (rows as SlotRowDb[]).map(rowToSlot);
  }

  /** Slot rows that touch `[from, to]`, oldest first. */
  inWindow(scheduleId: string, from: number, to: number, limit: number): SlotRow[] {
    return (this.window.all(scheduleId, to, from, limit) as SlotRowDb[]).map(rowToSlot);
  }

  slotOfRun(runId: string): SlotRow | null {
    const row = this.byRun.get(runId) as SlotRowDb | undefined;
    return row ? rowToSlot(row) : null;
  }
}

function rowToState(row: ScheduleRowDb): ScheduleState {
  return {
    id: row.id,
    name: row.name,
    prompt: row.prompt,
    spec: JSON.parse(row.spec) as ScheduleState['spec'],
    missed: row.missed_policy,
    catchUpLimit: row.catch_up_limit,
    overlap: row.overlap_policy,
    memory: row.memory,
    model: row.model,
    budgetTokens: row.budget_tokens,
    budgetCostUsd: row.budget_cost_usd,
    notify: JSON.parse(row.notify) as ScheduleState['notify'],
    specSince: row.spec_since,
    nextRunAt: row.next_run_at,
    status: row.status,
    pausedReason: row.paused_reason,
    dueAt: row.due_at,
    backoffUntil: row.backoff_until,
    lastRunAt: row.last_run_at,
    lastRunId: row.last_run_id,
    lastResult: row.last_result,
    lastError: row.last_error,
    consecutiveFailures: row.consecutive_failures,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function rowToSlot(row: SlotRowDb): SlotRow {
  return {
    scheduleId: row.schedule_id,
    slot: row.slot_time,
    through: row.through,
    count: row.count,
    status: row.status,
    reason: row.reason,
    trigger: row.trigger,
    runId: row.run_id,
    seq: row.seq,
    recordedAt: row.recorded_at,
    firedAt: row.fired_at,
    endedAt: row.ended_at,
    error: row.error,
  };
}
