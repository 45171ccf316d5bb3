import type { FireTrigger, MissedPolicy, OverlapPolicy } from '../contract/index.js';
import { dueSlots, type DueSlots, type Timing } from './next-run.js';

/** What a schedule looks like to the planner when the timer finds it due. */
export interface PlanInput {
  timing: Timing;
  /** The first slot not yet handled; at or before `now`. */
  nextRunAt: number;
  /** Failure backoff: slots before this are skipped. */
  backoffUntil: number | null;
  missed: MissedPolicy;
  catchUpLimit: number;
  overlap: OverlapPolicy;
  /** A run of this schedule is queued or going. */
  busy: boolean;
  /** Slots of this schedule already waiting their turn. */
  waiting: number;
  now: number;
  /** A slot this late or less still runs as on time; a later one was missed (the app was closed or asleep). */
  graceMs: number;
  /** At most this many slots are listed one by one; older ones are recorded as one stretch. */
  listLimit: number;
}

/** Slots recorded without a run, and why. */
export interface SlotGroup {
  status: 'missed' | 'skipped';
  reason: string;
  slots: number[];
  older: DueSlots['older'];
}

/** What to do with the due slots of one schedule, in this order: record, fire, queue. */
export interface SlotPlan {
  record: SlotGroup[];
  /** The slot whose run starts now. */
  fire: { slot: number; trigger: FireTrigger } | null;
  /** Slots that wait behind the run in flight, oldest first. */
  queue: { slot: number; trigger: FireTrigger }[];
  /** The first slot after `now`, or null when the timing has none left. */
  nextRunAt: number | null;
}

/**
 * Decides what happens to every slot from `nextRunAt` up to `now`. The newest due slot, when it is
 * at most `graceMs` late, is simply on time; everything older was missed and goes by the missed-run
 * policy: `skip` records them, `run_once` runs the newest of them once, `run_all` runs up to
 * `catchUpLimit` of them (the newest, less any catch-up runs already waiting) one after another. A run that would overlap the schedule's
 * run in flight is skipped (`overlap: skip`) or waits (`queue_one`, at most one waiting); catch-up
 * runs of `run_all` always wait their turn. Slots inside a failure backoff are skipped.
 */
export function planSlots(input: PlanInput): SlotPlan {
  const due = dueSlots(input.timing, input.nextRunAt, input.now, input.listLimit);
  const record: SlotGroup[] = [];
  const backoff = input.backoffUntil ?? Number.NEGATIVE_INFINITY;
  let older = due.older;
  if (older && older.to < backoff) {
    record.push({ status: 'skipped', reason: 'backoff', slots: [], older });
    older = null;
  }
  const inBackoff = due.slots.filter((s) => s < backoff);
  const candidates = due.slots.filter((s) => s >= backoff);
  if (inBackoff.length) record.push({ status: 'skipped', reason: 'backoff', slots: inBackoff, older: null });

  const latest = candidates[candidates.length - 1];
  const onTime = latest !== undefined && input.now - latest <= input.graceMs;
  let runs: { slot: number; trigger: FireTrigger }[] = [];
  let missed: number[] = [];
  let missedReason: string = input.missed;
  switch (input.missed) {
    case 'skip':
      missed = onTime ? candidates.slice(0, -1) : candidates;
      runs = onTime ? [{ slot: latest, trigger: 'on_time' }] : [];
      break;
    case 'run_once':
      missed = candidates.slice(0, -1);
      runs = latest === undefined ? [] : [{ slot: latest, trigger: onTime ? 'on_time' : 'catch_up' }];
      break;
    case 'run_all': {
      // Catch-up runs still waiting from before (an earlier start that did not live to run them)
      // count towards the limit, so restarts never pile up more than `catchUpLimit` of them.
      const catchingUp = !(onTime && candidates.length === 1);
      const room = catchingUp ? Math.max(0, input.catchUpLimit - input.waiting) : candidates.length;
      const kept = room ? candidates.slice(-room) : [];
      missed = candidates.slice(0, candidates.length - kept.length);
      missedReason = 'run_all_limit';
      runs = kept.map((slot) => ({ slot, trigger: onTime && slot === latest ? 'on_time' : 'catch_up' }));
      break;
    }
  }
  if (missed.length || older) record.push({ status: 'missed', reason: missedReason, slots: missed, older });

  const plan: SlotPlan = { record, fire: null, queue: [], nextRunAt: input.timing.next(input.now) };
  let waiting = input.waiting;
  let free = !input.busy && waiting === 0;
  const overlapped: number[] = [];
  // A run_all catch-up is one batch: every run of it waits its turn, whatever the overlap policy.
  const batch = input.missed === 'run_all' && runs.some((r) => r.trigger === 'catch_up');
  for (const run of runs) {
    if (free) {
      plan.fire = run;
      free = false;
    } else if (batch) {
      plan.queue.push(run);
      waiting++;
    } else if (input.overlap === 'queue_one' && waiting === 0) {
      plan.queue.push({ slot: run.slot, trigger: run.trigger === 'on_time' ? 'queued' : run.trigger });
      waiting++;
    } else {
      overlapped.push(run.slot);
    }
  }
  if (overlapped.length) record.push({ status: 'skipped', reason: 'overlap', slots: overlapped, older: null });
  return plan;
}

/** How long a schedule waits after `failures` failures in a row: doubling from `baseMs`, at most `capMs`. */
export function backoffDelay(failures: number, baseMs: number, capMs: number): number {
  if (failures <= 0) return 0;
  return Math.min(capMs, baseMs * 2 ** Math.min(failures - 1, 30));
}
