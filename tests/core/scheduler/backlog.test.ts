import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { AppEvent } from '../../../core/contract/index.js';
import { ManualClock } from '../../../core/util/clock.js';
import { startTestHost, waitFor, type TestHost } from '../../support/index.js';
import { harnessPerTest, scheduleInput } from './harness.js';

const MIN = 60_000;
const H = 60 * MIN;
const T0 = Date.parse('2026-01-05T00:00:00Z');

const hourly = (name: string, missed: 'skip' | 'run_once') => scheduleInput(name, { kind: 'interval', everySeconds: 3600 }, { missed, memory: 'none', notify: { onSuccess: false, onFailure: false } });

describe('a wake with a backlog of due schedules', () => {
  const harness = harnessPerTest();

  it('is worked off in batches with the event loop free between them, every due slot handled once', async () => {
    const h = harness({ clock: new ManualClock(T0), options: { wakeBatch: 10 } });
    h.start();
    const ids = h.log.transaction(() => Array.from({ length: 35 }, (_, i) => h.service.add(hourly(`catch up ${i}`, 'run_once')).id));
    // The machine slept 2 h 30: two slots of each schedule passed, both beyond the grace.
    h.clock.jump(2 * H + 30 * MIN);
    h.engine.wake('resume');
    // The wake handled one batch before it returned; the rest waits for turns of the event loop.
    assert.equal(h.events.filter((e) => e.type === 'schedule.fired').length, 10);
    assert.equal(h.engine.backlog, true);
    assert.equal(h.engine.nextWakeAt(), null, 'the timer waits for the backlog to be worked off');
    await h.engine.idle();
    assert.equal(h.engine.backlog, false);
    for (const id of ids) {
      const rows = h.slots(id);
      assert.deepEqual(
        rows.map((r) => [r.slot - T0, r.status, r.trigger ?? r.reason]),
        [
          [H, 'missed', 'run_once'],
          [2 * H, 'ran', 'catch_up'],
        ],
      );
    }
    assert.equal(h.events.filter((e) => e.type === 'schedule.fired').length, 35);
    assert.notEqual(h.engine.nextWakeAt(), null, 'the timer is armed again once the backlog is done');
    assert.ok(ids.every((id) => h.service.show(id).nextRunAt === new Date(T0 + 3 * H).toISOString()));
  });

  it('a slot another wake recorded already undoes only its own schedule in the batch', async () => {
    const h = harness({ clock: new ManualClock(T0), options: { wakeBatch: 10 } });
    h.start();
    const [a, b, c] = ['a', 'b', 'c'].map((name) => h.service.add(hourly(name, 'skip')));
    // B's first slot has a row already (as if another process had handled it), but B's pointer does not know.
    h.log.transaction(() => h.log.append('schedule.slots', { scheduleId: b.id, status: 'skipped', reason: 'none', slots: [T0 + H], range: null, nextRunAt: T0 + H, dueAt: T0 + H }));
    const before = h.events.length;
    await h.advanceTo(T0 + H);
    const fired = h.events.slice(before).filter((e): e is Extract<AppEvent, { type: 'schedule.fired' }> => e.type === 'schedule.fired');
    assert.deepEqual(fired.map((e) => e.data.scheduleId).sort(), [a.id, c.id].sort(), 'A and C fired, B did not fire its slot again');
    assert.equal(h.slots(b.id).length, 1);
    assert.equal(h.service.show(b.id).nextRunAt, new Date(T0 + 2 * H).toISOString(), 'B moved on to its next slot');
    const runs = h.db.prepare("SELECT title FROM runs WHERE kind = 'schedule' ORDER BY title").pluck().all();
    assert.deepEqual(runs, ['a', 'c'], 'the run made for B in the undone step is gone with it');
    assert.ok(
      h.events.slice(before).every((e) => e.type !== 'run.created' || e.data.title !== 'b'),
      'nobody heard of the undone run',
    );
  });
});

describe('the host during a backlog', () => {
  let host: TestHost | undefined;
  afterEach(async () => {
    await host?.close();
    host = undefined;
  });

  it('answers a request while thousands of missed slots are being recorded', async () => {
    const clock = new ManualClock(T0);
    host = await startTestHost({ clock, schedulerOptions: { wakeBatch: 20 } });
    const { core } = host;
    const count = 2000;
    core.log.transaction(() => {
      for (let i = 0; i < count; i++) core.schedules.add(hourly(`backlog ${i}`, 'skip'));
    });
    const ws = host.connect();
    await ws.call('system.ping', {});
    let recorded = 0;
    const unsubscribe = core.log.subscribe(core.log.head(), (e) => {
      if (e.type === 'schedule.slots' && e.data.status === 'missed') recorded++;
    });
    // The machine slept 2 h 30 and woke: every schedule has two missed slots to record.
    clock.jump(2 * H + 30 * MIN);
    const answer = ws.call('system.ping', {}).then(() => recorded);
    core.wakeSchedules();
    const recordedWhenAnswered = await answer;
    await waitFor(() => recorded === count, 'every schedule recorded its missed slots');
    unsubscribe();
    assert.ok(recordedWhenAnswered < count, `the request was answered while the backlog was worked off (after ${recordedWhenAnswered} of ${count} schedules)`);
    const rows = core.db.prepare("SELECT status, COUNT(*) AS n FROM schedule_slots GROUP BY status").all();
    assert.deepEqual(rows, [{ status: 'missed', n: 2 * count }]);
  });
});
