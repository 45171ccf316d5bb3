import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { ManualClock } from '../../../core/util/clock.js';
import { tempDir } from '../../support/index.js';
import { SchedulerHarness } from './harness.js';

const MIN = 60_000;
const H = 60 * MIN;
const DAY = 24 * H;
/** Monday 23 March 2026, 00:00 UTC: Berlin moves its clocks forward on Sunday the 29th. */
const T0 = Date.parse('2026-03-23T00:00:00Z');
const END = T0 + 7 * DAY;

type Spec = Parameters<SchedulerHarness['service']['add']>[0]['spec'];
interface Planned {
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
function plan(): Planned[] {
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

describe('a simulated week', () => {
  let dir: ReturnType<typeof tempDir>;
  let h: SchedulerHarness | undefined;
  beforeEach(() => {
    dir = tempDir();
  });
  afterEach(async () => {
    await h?.close().catch(() => {});
    dir.cleanup();
  });

  it('50 mixed schedules over a week across a DST change fire exactly the expected slots, each once and on time', async (t) => {
    const started = performance.now();
    // Runs take 2 minutes of simulated time; the heartbeat is relaxed, as nothing sleeps here.
    h = new SchedulerHarness({ dir: dir.path, clock: new ManualClock(T0), runMs: () => 2 * MIN, options: { maxSleepMs: 6 * H } });
    h.start();
    const planned = plan();
    const ids = new Map<string, Planned>();
    for (const p of planned) {
      const s = h.service.add({ name: p.name, prompt: `do ${p.name}`, spec: p.spec, missed: 'skip', catchUpLimit: 10, overlap: 'skip', memory: 'read', model: null, budgetTokens: null, budgetCostUsd: null, notify: { onSuccess: false, onFailure: true } });
      ids.set(s.id, p);
    }
    await h.advanceTo(END);
    const elapsed = performance.now() - started;

    const fired = new Map<string, number[]>();
    for (const run of h.started.values()) {
      assert.equal(run.at, run.slot, `a run starts at its slot (${ids.get(run.scheduleId)?.name})`);
      fired.set(run.scheduleId, [...(fired.get(run.scheduleId) ?? []), run.slot]);
    }
    let total = 0;
    for (const [id, p] of ids) {
      const slots = (fired.get(id) ?? []).sort((a, b) => a - b);
      assert.deepEqual(slots.map((t) => new Date(t).toISOString()), p.expected.map((t) => new Date(t).toISOString()), `${p.name} fired exactly its slots`);
      const rows = h.slots(id);
      // Runs last 2 minutes: a slot at the very end of the week is still running.
      assert.ok(rows.every((r) => r.status === 'ran' || (r.status === 'running' && r.slot > END - 2 * MIN)), `${p.name}: every slot ran, none missed or skipped`);
      assert.equal(rows.length, p.expected.length);
      total += slots.length;
    }
    const runs = h.db.prepare("SELECT status, COUNT(*) AS n FROM runs WHERE kind = 'schedule' GROUP BY status").all() as { status: string; n: number }[];
    const done = runs.find((r) => r.status === 'done')?.n ?? 0;
    const running = runs.find((r) => r.status === 'running')?.n ?? 0;
    assert.equal(done + running, total);
    assert.deepEqual(runs.map((r) => r.status).filter((st) => st !== 'done' && st !== 'running'), []);
    // How long the simulated week takes is a figure to read, not a pass mark (the machine may be busy).
    t.diagnostic(`a simulated week of 50 schedules: ${total} fires in ${Math.round(elapsed)} ms of test time`);
  });
});
