import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backoffDelay, compileTiming, planSlots, type PlanInput } from '../../../core/scheduler/index.js';

const MIN = 60_000;
const T0 = Date.parse('2026-01-01T00:00:00Z');
// Every 10 minutes from T0: slots at T0+10m, T0+20m, ...
const timing = compileTiming({ kind: 'interval', everySeconds: 600 }, T0);

function plan(over: Partial<PlanInput>): ReturnType<typeof planSlots> {
  return planSlots({ timing, nextRunAt: T0 + 10 * MIN, backoffUntil: null, missed: 'skip', catchUpLimit: 10, overlap: 'skip', busy: false, waiting: 0, now: T0 + 10 * MIN, graceMs: MIN, listLimit: 1000, ...over });
}

describe('planning due slots', () => {
  it('a slot on time fires and the pointer moves to the next slot', () => {
    const p = plan({ now: T0 + 10 * MIN + 500 });
    assert.deepEqual(p.fire, { slot: T0 + 10 * MIN, trigger: 'on_time' });
    assert.deepEqual(p.record, []);
    assert.equal(p.nextRunAt, T0 + 20 * MIN);
  });

  it('skip: after 35 minutes away every passed slot is recorded missed and none runs', () => {
    const p = plan({ now: T0 + 45 * MIN });
    assert.equal(p.fire, null);
    assert.deepEqual(p.record, [{ status: 'missed', reason: 'skip', slots: [T0 + 10 * MIN, T0 + 20 * MIN, T0 + 30 * MIN, T0 + 40 * MIN], older: null }]);
    assert.equal(p.nextRunAt, T0 + 50 * MIN);
  });

  it('skip: the newest slot still runs on time when the app came back within the grace', () => {
    const p = plan({ now: T0 + 40 * MIN + 30_000 });
    assert.deepEqual(p.fire, { slot: T0 + 40 * MIN, trigger: 'on_time' });
    assert.deepEqual(p.record[0].slots, [T0 + 10 * MIN, T0 + 20 * MIN, T0 + 30 * MIN]);
  });

  it('run_once: one catch-up run for the newest missed slot, the rest recorded missed', () => {
    const p = plan({ missed: 'run_once', now: T0 + 45 * MIN });
    assert.deepEqual(p.fire, { slot: T0 + 40 * MIN, trigger: 'catch_up' });
    assert.deepEqual(p.record, [{ status: 'missed', reason: 'run_once', slots: [T0 + 10 * MIN, T0 + 20 * MIN, T0 + 30 * MIN], older: null }]);
  });

  it('run_all: the newest slots up to the limit run one after another, older ones are missed', () => {
    const p = plan({ missed: 'run_all', catchUpLimit: 3, now: T0 + 45 * MIN });
    assert.deepEqual(p.fire, { slot: T0 + 20 * MIN, trigger: 'catch_up' });
    assert.deepEqual(p.queue, [
      { slot: T0 + 30 * MIN, trigger: 'catch_up' },
      { slot: T0 + 40 * MIN, trigger: 'catch_up' },
    ]);
    assert.deepEqual(p.record, [{ status: 'missed', reason: 'run_all_limit', slots: [T0 + 10 * MIN], older: null }]);
  });

  it('run_all: catch-up runs still waiting from an earlier start count towards the limit, so restarts do not pile them up', () => {
    const p = plan({ missed: 'run_all', catchUpLimit: 3, waiting: 2, now: T0 + 45 * MIN });
    assert.equal(p.fire, null);
    assert.deepEqual(p.queue, [{ slot: T0 + 40 * MIN, trigger: 'catch_up' }]);
    assert.deepEqual(p.record, [{ status: 'missed', reason: 'run_all_limit', slots: [T0 + 10 * MIN, T0 + 20 * MIN, T0 + 30 * MIN], older: null }]);
    const full = plan({ missed: 'run_all', catchUpLimit: 3, waiting: 3, now: T0 + 45 * MIN });
    assert.deepEqual([full.fire, full.queue], [null, []]);
    assert.deepEqual(full.record, [{ status: 'missed', reason: 'run_all_limit', slots: [T0 + 10 * MIN, T0 + 20 * MIN, T0 + 30 * MIN, T0 + 40 * MIN], older: null }]);
  });

  it('overlap skip: a slot that comes while the last run goes is recorded skipped', () => {
    const p = plan({ busy: true, now: T0 + 10 * MIN });
    assert.equal(p.fire, null);
    assert.deepEqual(p.queue, []);
    assert.deepEqual(p.record, [{ status: 'skipped', reason: 'overlap', slots: [T0 + 10 * MIN], older: null }]);
  });

  it('queue_one: one slot waits for the run in flight, a second is skipped', () => {
    assert.deepEqual(plan({ busy: true, overlap: 'queue_one' }).queue, [{ slot: T0 + 10 * MIN, trigger: 'queued' }]);
    const second = plan({ busy: true, overlap: 'queue_one', waiting: 1 });
    assert.deepEqual(second.queue, []);
    assert.deepEqual(second.record, [{ status: 'skipped', reason: 'overlap', slots: [T0 + 10 * MIN], older: null }]);
  });

  it('slots inside a failure backoff are skipped; the first after it runs', () => {
    const p = plan({ nextRunAt: T0 + 10 * MIN, backoffUntil: T0 + 25 * MIN, now: T0 + 30 * MIN });
    assert.deepEqual(p.record, [{ status: 'skipped', reason: 'backoff', slots: [T0 + 10 * MIN, T0 + 20 * MIN], older: null }]);
    assert.deepEqual(p.fire, { slot: T0 + 30 * MIN, trigger: 'on_time' });
  });

  it('a once timing that was missed leaves nothing after it', () => {
    const once = compileTiming({ kind: 'once', at: new Date(T0 + MIN).toISOString() }, T0);
    const p = planSlots({ timing: once, nextRunAt: T0 + MIN, backoffUntil: null, missed: 'skip', catchUpLimit: 1, overlap: 'skip', busy: false, waiting: 0, now: T0 + 60 * MIN, graceMs: MIN, listLimit: 10 });
    assert.deepEqual(p.record, [{ status: 'missed', reason: 'skip', slots: [T0 + MIN], older: null }]);
    assert.equal(p.nextRunAt, null);
  });

  it('failure backoff doubles up to its cap', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 10, 100].map((n) => backoffDelay(n, 30_000, 600_000)), [0, 30_000, 60_000, 120_000, 240_000, 600_000, 600_000]);
  });
});
