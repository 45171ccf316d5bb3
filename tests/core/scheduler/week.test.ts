import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../core/util/clock.js';
import { harnessPerTest, scheduleInput } from './harness.js';
import { END, H, MIN, T0, weekPlan, type Planned } from './week-plan.js';

describe('a simulated week', () => {
  const harness = harnessPerTest();

  it('50 mixed schedules over a week across a DST change fire exactly the expected slots, each once and on time', async (t) => {
    const started = performance.now();
    // Runs take 2 minutes of simulated time; the heartbeat is relaxed, as nothing sleeps here.
    const h = harness({ clock: new ManualClock(T0), runMs: () => 2 * MIN, options: { maxSleepMs: 6 * H } });
    h.start();
    const planned = weekPlan();
    const ids = new Map<string, Planned>();
    for (const p of planned) {
      const s = h.service.add(scheduleInput(p.name, p.spec, { notify: { onSuccess: false, onFailure: true } }));
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
