import type { ScheduleAuditEntry, SlotEntry } from '../contract/index.js';
import { slotsBetween, type Timing } from './next-run.js';
import type { ScheduleState, SlotRow } from './store.js';

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A slot row as clients see it: queued and running slots are `pending`. */
export function slotEntry(row: SlotRow): SlotEntry {
  const status = row.status === 'queued' || row.status === 'running' ? 'pending' : row.status;
  return {
    slot: new Date(row.slot).toISOString(),
    status,
    reason: status === 'pending' ? row.status : row.reason,
    trigger: row.trigger,
    runId: row.runId,
    through: iso(row.through),
    count: row.count,
    firedAt: iso(row.firedAt),
    endedAt: iso(row.endedAt),
    error: row.error,
  };
}

/**
 * "Should have fired vs did": every slot the timing calls for in `[from, to]` with what became of
 * it, plus recorded slots the current timing does not call for (run-now, an earlier timing). A slot
 * the timing calls for with no record is `pending` when it is still to come and `missed`
 * (`unrecorded`) when it is not; neither should happen, and the audit would show it if it did.
 */
export function auditSlots(input: { schedule: ScheduleState; timing: Timing; rows: SlotRow[]; from: number; to: number; limit: number }): { entries: ScheduleAuditEntry[]; truncated: boolean } {
  const { schedule, timing, rows, from, to, limit } = input;
  const start = Math.max(from, schedule.specSince + 1);
  const expected = start > to ? [] : slotsBetween(timing, start - 1, to, limit + 1);
  const truncated = expected.length > limit || rows.length >= limit;
  if (expected.length > limit) expected.length = limit;
  const single = new Map<number, SlotRow>();
  const ranges: SlotRow[] = [];
  for (const row of rows) {
    if (row.through === null) single.set(row.slot, row);
    else ranges.push(row);
  }
  const used = new Set<SlotRow>();
  const entries: ScheduleAuditEntry[] = [];
  for (const slot of expected) {
    const row = single.get(slot);
    if (row) {
      used.add(row);
      entries.push({ ...slotEntry(row), expected: true });
      continue;
    }
    const range = ranges.find((r) => r.slot <= slot && slot <= (r.through ?? r.slot));
    if (range) {
      used.add(range);
      entries.push({ ...slotEntry(range), slot: new Date(slot).toISOString(), through: null, count: null, expected: true });
      continue;
    }
    const upcoming = schedule.nextRunAt !== null && slot >= schedule.nextRunAt;
    entries.push({
      slot: new Date(slot).toISOString(),
      status: upcoming ? 'pending' : 'missed',
      reason: upcoming ? (schedule.status === 'paused' ? 'paused' : 'upcoming') : 'unrecorded',
      trigger: null,
      runId: null,
      through: null,
      count: null,
      firedAt: null,
      endedAt: null,
      error: null,
      expected: true,
    });
  }
  for (const row of rows) if (!used.has(row)) entries.push({ ...slotEntry(row), expected: false });
  entries.sort((a, b) => Date.parse(a.slot) - Date.parse(b.slot));
  return { entries, truncated };
}
