import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../core/util/clock.js';
import { createSequentialIds } from '../../../core/util/ids.js';
import { harnessPerTest, scheduleInput, type SchedulerHarness } from './harness.js';

const S = 1000;
const MIN = 60 * S;
const H = 60 * MIN;
const T0 = Date.parse('2026-01-05T00:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

describe('the scheduler engine', () => {
  const harness = harnessPerTest();
  let h: SchedulerHarness;

  it('a slot gets its row and its run in one transaction before the run starts, and then ends ran', async () => {
    h = harness({ runMs: () => 5 * S });
    h.start();
    const s = h.service.add(scheduleInput('tick', { kind: 'interval', everySeconds: 60 }, { prompt: 'say tick' }));
    assert.equal(s.nextRunAt, iso(T0 + MIN));
    await h.advanceTo(T0 + MIN);
    const fired = h.events.find((e) => e.type === 'schedule.fired')!;
    const runningAt = h.events.findIndex((e) => e.type === 'run.status' && e.runId === fired.runId && e.data.to === 'running');
    assert.ok(runningAt > h.events.indexOf(fired), 'the slot is recorded before its run starts');
    assert.deepEqual(h.slots(s.id), [{ slot: T0 + MIN, status: 'running', reason: null, trigger: 'on_time', runId: fired.runId, through: null }]);
    await h.advanceBy(5 * S);
    assert.equal(h.slots(s.id)[0].status, 'ran');
    const after = h.service.show(s.id);
    assert.equal(after.lastResult, 'ran');
    assert.equal(after.lastRunId, fired.runId);
    assert.equal(after.nextRunAt, iso(T0 + 2 * MIN));
    assert.equal(h.notices.at(-1)?.kind, 'succeeded');
  });

  it('a second wake or a replayed fire never fires a slot twice', async () => {
    h = harness({ runMs: () => 10 * MIN });
    h.start();
    const s = h.service.add(scheduleInput('daily', { kind: 'daily', time: '00:05', days: [] }));
    await h.advanceTo(T0 + 5 * MIN);
    h.engine.wake('timer');
    h.engine.wake('resume');
    assert.equal(h.slots(s.id).length, 1);
    assert.throws(
      () => h.log.transaction(() => h.log.append('schedule.fired', { scheduleId: s.id, slot: T0 + 5 * MIN, trigger: 'on_time', nextRunAt: null, dueAt: null }, 'run_other')),
      /already recorded/,
    );
    assert.equal(h.slots(s.id).length, 1);
    assert.equal((h.db.prepare("SELECT COUNT(*) AS n FROM runs WHERE kind = 'schedule'").get() as { n: number }).n, 1);
  });

  it('a long run is not overlapped: the slot that came meanwhile is recorded skipped', async () => {
    h = harness({ runMs: () => 150 * S });
    h.start();
    const s = h.service.add(scheduleInput('long', { kind: 'interval', everySeconds: 60 }));
    await h.advanceTo(T0 + 4 * MIN);
    assert.deepEqual(
      h.slots(s.id).map((r) => [r.slot - T0, r.status, r.reason]),
      [
        [MIN, 'ran', null],
        [2 * MIN, 'skipped', 'overlap'],
        [3 * MIN, 'skipped', 'overlap'],
        [4 * MIN, 'running', null],
      ],
    );
    assert.equal(h.runs.list(10).filter((r) => r.status === 'running').length, 1);
  });

  it('queue_one: one slot waits for the run in flight and starts when it ends', async () => {
    h = harness({ runMs: () => 150 * S });
    h.start();
    const s = h.service.add({ ...scheduleInput('queued', { kind: 'interval', everySeconds: 60 }), overlap: 'queue_one' });
    await h.advanceTo(T0 + 5 * MIN + S);
    assert.deepEqual(
      h.slots(s.id).map((r) => [r.slot - T0, r.status, r.reason, r.trigger]),
      [
        [MIN, 'ran', null, 'on_time'],
        [2 * MIN, 'running', null, 'queued'],
        [3 * MIN, 'skipped', 'overlap', null],
        [4 * MIN, 'queued', null, 'queued'],
        [5 * MIN, 'skipped', 'overlap', null],
      ],
    );
    const second = [...h.started.values()].find((r) => r.slot === T0 + 2 * MIN)!;
    assert.equal(second.at, T0 + MIN + 150 * S, 'the waiting slot starts the moment the run before it ends');
  });

  describe('restart after 3 hours down', () => {
    for (const policy of ['skip', 'run_once', 'run_all'] as const) {
      it(`${policy}: exactly the expected missed and fired rows, nothing twice`, async () => {
        const clock = new ManualClock(T0);
        const ids = createSequentialIds();
        h = harness({ clock, ids, runMs: () => 30 * S });
        h.start();
        const s = h.service.add({ ...scheduleInput(`every 20 min ${policy}`, { kind: 'interval', everySeconds: 20 * 60 }), missed: policy, catchUpLimit: 4 });
        await h.advanceTo(T0 + 45 * MIN); // slots at 20 and 40 run
        h.engine.stop();
        h.db.close();

        clock.jump(3 * H); // the app is down from 00:45 to 03:45: slots 01:00 … 03:40 (9 of them) pass
        h = harness({ clock, ids, runMs: () => 30 * S });
        h.start();
        await h.advanceBy(20 * MIN);
        const rows = h.slots(s.id).map((r) => [(r.slot - T0) / MIN, r.status, r.reason ?? r.trigger]);
        const passed = [60, 80, 100, 120, 140, 160, 180, 200, 220];
        const expected: (string | number | null)[][] = [
          [20, 'ran', 'on_time'],
          [40, 'ran', 'on_time'],
        ];
        if (policy === 'skip') for (const m of passed) expected.push([m, 'missed', 'skip']);
        if (policy === 'run_once') {
          for (const m of passed.slice(0, -1)) expected.push([m, 'missed', 'run_once']);
          expected.push([220, 'ran', 'catch_up']);
        }
        if (policy === 'run_all') {
          for (const m of passed.slice(0, -4)) expected.push([m, 'missed', 'run_all_limit']);
          for (const m of passed.slice(-4)) expected.push([m, 'ran', 'catch_up']);
        }
        expected.push([240, 'ran', 'on_time']);
        assert.deepEqual(rows, expected);
        const runs = h.db.prepare("SELECT COUNT(*) AS n FROM runs WHERE kind = 'schedule'").get() as { n: number };
        assert.equal(runs.n, expected.filter((r) => r[1] === 'ran').length, 'one run per ran slot, none twice');
        const missedEvents = h.events.filter((e) => e.type === 'schedule.slots' && e.data.status === 'missed');
        assert.equal(missedEvents.reduce((n, e) => n + (e.type === 'schedule.slots' ? e.data.slots.length : 0), 0), expected.filter((r) => r[1] === 'missed').length, 'every missed slot is in an event');
      });
    }
  });

  it('a run in flight when the process died ends failed (interrupted) and its slot says so; it is not run again', async () => {
    const clock = new ManualClock(T0);
    const ids = createSequentialIds();
    h = harness({ clock, ids, runMs: () => 10 * MIN });
    h.start();
    const s = h.service.add({ ...scheduleInput('crashy', { kind: 'interval', everySeconds: 60 * 60 }), overlap: 'queue_one' });
    await h.advanceTo(T0 + H + S);
    h.engine.stop();
    h.db.close(); // the process dies: the run stays `running` in the database
    h = harness({ clock, ids, runMs: () => 10 * MIN });
    h.start();
    assert.equal(h.recovered.length, 1);
    assert.deepEqual(h.slots(s.id).map((r) => [r.slot - T0, r.status, r.reason]), [[H, 'failed', 'interrupted']]);
    assert.equal(h.service.show(s.id).consecutiveFailures, 0, 'a crash is not the schedule failing');
    await h.advanceTo(T0 + 2 * H + S);
    assert.deepEqual(h.slots(s.id).map((r) => [r.slot - T0, r.status]), [[H, 'failed'], [2 * H, 'running']]);
  });

  it('failures back off, doubling, and after N in a row the schedule pauses itself and says so', async () => {
    h = harness({ fails: () => true, options: { backoffBaseMs: 2 * MIN, backoffCapMs: 10 * MIN, pauseAfterFailures: 3 } });
    h.start();
    const s = h.service.add(scheduleInput('flaky', { kind: 'interval', everySeconds: 60 }));
    await h.advanceTo(T0 + 30 * MIN);
    const rows = h.slots(s.id).filter((r) => r.slot <= T0 + 30 * MIN);
    const ran = rows.filter((r) => r.status === 'failed').map((r) => (r.slot - T0) / MIN);
    // Fails at 1 and waits 2 min (slot 2 skipped) -> fails at 3 and waits 4 min (4, 5, 6 skipped) -> fails at 7 -> paused.
    assert.deepEqual(ran, [1, 3, 7]);
    assert.deepEqual(rows.filter((r) => r.reason === 'backoff').map((r) => (r.slot - T0) / MIN), [2, 4, 5, 6]);
    const after = h.service.show(s.id);
    assert.equal(after.status, 'paused');
    assert.equal(after.pausedReason, 'failures');
    assert.equal(after.nextRunAt, null);
    assert.deepEqual(h.notices.filter((n) => n.kind === 'paused').map((n) => n.title), ['flaky paused']);
    assert.equal(h.notices.filter((n) => n.kind === 'failed').length, 3);

    h.service.resume(s.id);
    const resumed = h.service.show(s.id);
    assert.equal(resumed.status, 'active');
    assert.equal(resumed.consecutiveFailures, 0);
    assert.ok(h.slots(s.id).some((r) => r.reason === 'paused'), 'slots slept through while paused are recorded skipped');
  });

  it('after the machine sleeps, the next heartbeat notices the jump and records the missed slots at once', async () => {
    h = harness({ options: { maxSleepMs: 30 * S } });
    h.start();
    const s = h.service.add(scheduleInput('hourly', { kind: 'cron', expr: '0 * * * *', timeZone: 'UTC' }));
    await h.advanceTo(T0 + 10 * MIN);
    h.clock.jump(5 * H); // asleep from 00:10 to 05:10
    await h.advanceBy(30 * S);
    assert.equal(h.engine.lastWake?.reason, 'clock_jump');
    assert.deepEqual(h.slots(s.id).map((r) => [(r.slot - T0) / H, r.status]), [1, 2, 3, 4, 5].map((n) => [n, 'missed']));
    assert.equal(h.service.show(s.id).nextRunAt, iso(T0 + 6 * H));
  });

  it('a clock set backwards re-arms the timer on the persisted next run instead of firing early', async () => {
    h = harness({ options: { maxSleepMs: 30 * S } });
    h.start();
    const s = h.service.add(scheduleInput('at one', { kind: 'daily', time: '01:00', days: [] }));
    await h.advanceTo(T0 + 50 * MIN);
    h.clock.jump(-2 * H);
    await h.advanceBy(30 * S);
    assert.equal(h.engine.lastWake?.reason, 'clock_jump');
    assert.deepEqual(h.slots(s.id), []);
    await h.advanceTo(T0 + H + S);
    assert.deepEqual(h.slots(s.id).map((r) => [r.slot, r.status]), [[T0 + H, 'ran']]);
  });

  it('pause skips nothing that waits silently, resume records the slots slept through as skipped', async () => {
    h = harness();
    h.start();
    const s = h.service.add(scheduleInput('pausable', { kind: 'interval', everySeconds: 600 }));
    await h.advanceTo(T0 + 10 * MIN);
    h.service.pause(s.id);
    assert.equal(h.service.show(s.id).nextRunAt, null);
    await h.advanceTo(T0 + 35 * MIN);
    h.service.resume(s.id);
    assert.deepEqual(
      h.slots(s.id).map((r) => [(r.slot - T0) / MIN, r.status, r.reason]),
      [
        [10, 'ran', null],
        [20, 'skipped', 'paused'],
        [30, 'skipped', 'paused'],
      ],
    );
    assert.equal(h.service.show(s.id).nextRunAt, iso(T0 + 40 * MIN));
    assert.equal(h.service.pauseAll(), 1);
    assert.equal(h.service.resumeAll(), 1);
  });

  it('run now starts a run outside the timing, and refuses while a run of the schedule goes', async () => {
    h = harness({ runMs: () => MIN });
    h.start();
    const s = h.service.add(scheduleInput('manual', { kind: 'daily', time: '09:00', days: [] }));
    await h.advanceTo(T0 + 10 * S);
    const { runId } = h.service.runNow(s.id);
    assert.throws(() => h.service.runNow(s.id), { code: 'conflict' });
    await h.advanceBy(MIN);
    assert.deepEqual(h.slots(s.id).map((r) => [r.slot, r.status, r.trigger, r.runId]), [[T0 + 10 * S, 'ran', 'manual', runId]]);
    assert.equal(h.service.show(s.id).nextRunAt, iso(T0 + 9 * H), 'run-now leaves the timing alone');
  });

  it('the audit lists every slot the timing called for with what became of it', async () => {
    h = harness({ runMs: () => 90 * S });
    h.start();
    const s = h.service.add(scheduleInput('audited', { kind: 'interval', everySeconds: 60 }));
    await h.advanceTo(T0 + 3 * MIN + 10 * S);
    const audit = h.service.audit(s.id, iso(T0), iso(T0 + 5 * MIN));
    assert.deepEqual(
      audit.entries.map((e) => [e.slot, e.status, e.reason, e.runId !== null]),
      [
        [iso(T0 + MIN), 'ran', null, true],
        [iso(T0 + 2 * MIN), 'skipped', 'overlap', false],
        [iso(T0 + 3 * MIN), 'pending', 'running', true],
        [iso(T0 + 4 * MIN), 'pending', 'upcoming', false],
        [iso(T0 + 5 * MIN), 'pending', 'upcoming', false],
      ],
    );
    assert.equal(audit.truncated, false);
  });

  it('a once schedule fires once and is done; editing its time makes it active again', async () => {
    h = harness();
    h.start();
    const s = h.service.add(scheduleInput('once', { kind: 'once', at: iso(T0 + 5 * MIN) }));
    await h.advanceTo(T0 + 10 * MIN);
    assert.equal(h.service.show(s.id).status, 'done');
    assert.throws(() => h.service.resume(s.id), { code: 'conflict' });
    const edited = h.service.edit({ scheduleId: s.id, spec: { kind: 'once', at: iso(T0 + 20 * MIN) } });
    assert.equal(edited.status, 'active');
    assert.equal(edited.nextRunAt, iso(T0 + 20 * MIN));
    assert.throws(() => h.service.add(scheduleInput('past', { kind: 'once', at: iso(T0) })), { code: 'invalid_input', message: /already passed/ });
  });
});
