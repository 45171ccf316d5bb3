import { Cron } from 'croner';
import { AppError, type ScheduleSpec, type ScheduleSpecInput, type Weekday } from '../contract/index.js';

/**
 * A schedule's timing made ready to answer "when is the first slot after this instant?". Cron and
 * daily timings use croner in their zone: a wall time the clock skips (02:30 on a spring-forward
 * night) fires at the first minute after the gap, a wall time that happens twice fires once, at
 * its first occurrence.
 */
export interface Timing {
  readonly spec: ScheduleSpec;
  /** The first slot strictly after `after` (ms), or null when there is none. */
  next(after: number): number | null;
}

const CRON_WEEKDAY: Record<Weekday, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

/**
 * Builds the timing of a stored spec. `anchor` is where an interval counts from (the schedule's
 * creation or last change of timing); its slots are anchor + k × every, k ≥ 1.
 */
export function compileTiming(spec: ScheduleSpec, anchor: number): Timing {
  switch (spec.kind) {
    case 'interval': {
      const every = spec.everySeconds * 1000;
      return {
        spec,
        next: (after) => (after < anchor ? anchor + every : anchor + (Math.floor((after - anchor) / every) + 1) * every),
      };
    }
    case 'once': {
      const at = Date.parse(spec.at);
      return { spec, next: (after) => (at > after ? at : null) };
    }
    case 'cron':
    case 'daily': {
      const cron = makeCron(spec.kind === 'cron' ? spec.expr : dailyExpression(spec.time, spec.days), spec.timeZone);
      // The last answer holds for every instant from the one it was asked for up to the slot itself:
      // a wake asks twice for the same slot (planning, then the pointer), and croner is the cost of a fire.
      let askedAt = Number.NaN;
      let answer: number | null = null;
      return {
        spec,
        next: (after) => {
          if (answer !== null && after >= askedAt && after < answer) return answer;
          const date = cron.nextRun(new Date(after));
          askedAt = after;
          answer = date ? date.getTime() : null;
          return answer;
        },
      };
    }
  }
}

/** The cron expression of a daily timing: `M H * * days`. */
export function dailyExpression(time: string, days: readonly Weekday[]): string {
  const [hour, minute] = time.split(':').map(Number);
  const unique = [...new Set(days)];
  const dayField = unique.length === 0 || unique.length === 7 ? '*' : unique.map((d) => CRON_WEEKDAY[d]).sort((a, b) => a - b).join(',');
  return `${minute} ${hour} * * ${dayField}`;
}

function makeCron(expr: string, timeZone: string): Cron {
  return new Cron(expr, { timezone: timeZone, paused: true });
}

/**
 * Checks a spec as a person wrote it and fills in what they left out: the zone (the app's), the
 * days (every day), a `once` time without an offset (read in the zone). Bad input is an
 * `invalid_input` error saying what is wrong.
 */
export function normalizeSpec(input: ScheduleSpecInput, defaultZone: string, now: number): ScheduleSpec {
  switch (input.kind) {
    case 'interval':
      return { kind: 'interval', everySeconds: input.everySeconds };
    case 'cron': {
      const expr = input.expr.trim().replace(/\s+/g, ' ');
      const fields = expr.split(' ').length;
      if (fields !== 5 && fields !== 6) throw new AppError('invalid_input', `a cron expression has 5 fields (minute hour day month weekday) or 6 (second first); "${expr}" has ${fields}`);
      const spec: ScheduleSpec = { kind: 'cron', expr, timeZone: input.timeZone ?? defaultZone };
      let cron: Cron;
      try {
        cron = makeCron(expr, spec.timeZone);
      } catch (err) {
        throw new AppError('invalid_input', `cron expression "${expr}": ${cleanCronMessage(err)}`);
      }
      if (!cron.nextRun(new Date(now))) throw new AppError('invalid_input', `cron expression "${expr}" never fires`);
      return spec;
    }
    case 'daily': {
      const [h, m] = input.time.split(':');
      return { kind: 'daily', time: `${h.padStart(2, '0')}:${m}`, days: sortDays(input.days ?? []), timeZone: input.timeZone ?? defaultZone };
    }
    case 'once': {
      const zone = input.timeZone ?? defaultZone;
      let at: number;
      if (/[zZ]$|[+-]\d\d:?\d\d$/.test(input.at)) {
        at = Date.parse(input.at);
      } else {
        // A local time: croner reads an ISO date without an offset in the given zone.
        try {
          at = makeCron(input.at.length === 16 ? `${input.at}:00` : input.at, zone).nextRun(new Date(0))?.getTime() ?? Number.NaN;
        } catch {
          at = Number.NaN;
        }
      }
      if (Number.isNaN(at)) throw new AppError('invalid_input', `"${input.at}" is not a date and time such as 2026-05-01T09:00 or 2026-05-01T07:00:00Z`);
      return { kind: 'once', at: new Date(at).toISOString() };
    }
  }
}

function sortDays(days: readonly Weekday[]): Weekday[] {
  const order: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  const unique = new Set(days);
  return unique.size === 7 ? [] : order.filter((d) => unique.has(d));
}

function cleanCronMessage(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/^CronPattern:\s*/, '').replace(/^CronDate:\s*/, '');
}

/** The slots in `(after, until]`, oldest first, at most `limit`. */
export function slotsBetween(timing: Timing, after: number, until: number, limit: number): number[] {
  const out: number[] = [];
  for (let slot = timing.next(after); slot !== null && slot <= until && out.length < limit; slot = timing.next(slot)) out.push(slot);
  return out;
}

/** Slots that came due, and the stretch before them when there were more than could be listed. */
export interface DueSlots {
  /** The newest due slots, oldest first, at most the limit. */
  slots: number[];
  /** Older due slots not listed: from the first to `to` (inclusive); `count` when it is known. */
  older: { from: number; to: number; count: number | null } | null;
}

/**
 * The slots in `[first, now]` where `first` is a slot itself (the schedule's next unhandled one).
 * Lists at most `limit`, the newest; a longer stretch (an every-second schedule after a week away)
 * comes back as a range, so waking up never walks millions of slots.
 */
export function dueSlots(timing: Timing, first: number, now: number, limit: number): DueSlots {
  if (first > now) return { slots: [], older: null };
  if (timing.spec.kind === 'interval') {
    const every = timing.spec.everySeconds * 1000;
    const total = Math.floor((now - first) / every) + 1;
    if (total <= limit) return { slots: Array.from({ length: total }, (_, i) => first + i * every), older: null };
    const start = first + (total - limit) * every;
    return { slots: Array.from({ length: limit }, (_, i) => start + i * every), older: { from: first, to: start - every, count: total - limit } };
  }
  const listed = [first, ...slotsBetween(timing, first, now, limit)];
  if (listed.length <= limit) return { slots: listed, older: null };
  // More than the limit: start again close to now, from about `limit` slots' worth of time back.
  const span = listed[limit] - listed[0];
  let from = Math.max(first, now - span);
  let tail = slotsBetween(timing, from, now, limit * 2);
  while (tail.length < limit && from > first) {
    from = Math.max(first, from - span);
    tail = slotsBetween(timing, from, now, limit * 4);
  }
  const slots = tail.slice(-limit);
  return { slots, older: slots[0] > first ? { from: first, to: slots[0] - 1, count: null } : null };
}
