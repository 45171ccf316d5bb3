// The simulated week of the scheduler issue: 50 mixed schedules with the slots each must fire,
// worked out by hand from the timings, not by the scheduler's code. Used by the week test and the
// scheduler benchmark.
import type { SchedulerHarness } from './harness.js';

export const MIN = 60_000;
export const H = 60 * MIN;
export const DAY = 24 * H;
/** Monday 23 March 2026, 00:00 UTC: Berlin moves its clocks forward on Sunday the 29th. */
export const T0 = Date.parse('2026-03-23T00:00:00Z');
export const END = T0 + 7 * DAY;

export type Spec = Parameters<SchedulerHarness['service']['add']>[0]['spec'];
export interface Planned {
  name: string;
  spec: Spec;
  /** The slots in (T0, END], worked out by hand from the timing, not by the scheduler's code. */
  expected: number[];
}

function every(from: number, step: number): number[] {
  const out: number[] = [];
  for (let t = from + step; t <= END; t += step) out.push(t);
  return out;
}

/** 50 schedules of every kind, with their expected slots computed independently. */
export function weekPlan(): Planned[] {
  const out: Planned[] = [];
  // 20 intervals, 47 minutes to 3 h 57 min, counted from T0 (when they are made).
  for (let i = 0; i < 20; i++) {
    const seconds = 47 * 60 + i * 600;
    out.push({ name: `interval-${i}`, spec: { kind: 'interval', everySeconds: seconds }, expected: every(T0, seconds * 1000) });
  }
  // 15 daily UTC times, every other one on weekdays only (T0 is a Monday: days 0-4 are Mon-Fri).
  for (let i = 0; i < 15; i++) {
    const minuteOfDay = 7 * 60 + i * 53;
    const weekdaysOnly = i % 2 === 1;
    const hh = String(Math.floor(minuteOfDay / 60)).padStart(2, '0');
    const mm = String(minuteOfDay % 60).padStart(2, '0');
    const expected: number[] = [];
    for (let d = 0; d < 7; d++) if (!weekdaysOnly || d < 5) expected.push(T0 + d * DAY + minuteOfDay * MIN);
    out.push({ name: `daily-${i}`, spec: { kind: 'daily', time: `${hh}:${mm}`, days: weekdaysOnly ? ['mon', 'tue', 'wed', 'thu', 'fri'] : [], timeZone: 'UTC' }, expected });
  }
  // 5 daily 02:30 in Berlin: 01:30Z in winter time, 01:00Z on the 29th (02:30 does not exist; 03:00 CEST), 00:30Z after.
  for (let i = 0; i < 5; i++) {
    const expected: number[] = [];
    for (let d = 0; d < 7; d++) expected.push(T0 + d * DAY + (d < 6 ? 90 : d === 6 ? 60 : 30) * MIN);
    out.push({ name: `berlin-${i}`, spec: { kind: 'daily', time: '02:30', days: [], timeZone: 'Europe/Berlin' }, expected });
  }
  // 5 crons: every 3 hours on the hour, and at minute 15 of every 6th hour, in UTC.
  for (let i = 0; i < 5; i++) {
    const threeHourly = i % 2 === 0;
    out.push({ name: `cron-${i}`, spec: { kind: 'cron', expr: threeHourly ? '0 */3 * * *' : '15 */6 * * *', timeZone: 'UTC' }, expected: threeHourly ? every(T0, 3 * H) : every(T0 + 15 * MIN - 6 * H, 6 * H) });
  }
  // 5 once, on days 1 to 5 at 12:00 UTC.
  for (let i = 0; i < 5; i++) {
    const at = T0 + (i + 1) * DAY + 12 * H;
    out.push({ name: `once-${i}`, spec: { kind: 'once', at: new Date(at).toISOString() }, expected: [at] });
  }
  return out;
}
