import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { harnessPerTest, scheduleInput } from './harness.js';

const MIN = 60_000;
const T0 = Date.parse('2026-01-05T00:00:00Z');

describe('the scheduler on the real run queue', () => {
  const harness = harnessPerTest();

  it('a wake with three due schedules and room for two starts two in its own transaction, the third waits queued and starts when one ends', async () => {
    const h = harness({ runMs: () => 10 * MIN, runLimits: { perKind: { schedule: 2 } } });
    // What each transaction of the event log committed, in order.
    const commits: string[][] = [];
    let current: string[] | null = null;
    const transaction = h.log.transaction.bind(h.log);
    h.log.transaction = <T>(fn: () => T): T => {
      if (current) return transaction(fn);
      current = [];
      try {
        return transaction(fn);
      } finally {
        if (current.length) commits.push(current);
        current = null;
      }
    };
    const names = new Map<string, string>();
    h.log.subscribe(h.log.head(), (e) => {
      if (e.type === 'schedule.fired') names.set(e.runId!, h.queries.get(e.data.scheduleId)!.name);
      const name = e.runId ? names.get(e.runId) : undefined;
      if (e.type === 'schedule.fired') current?.push(`fired ${name}`);
      if (e.type === 'run.status') current?.push(`${name} ${e.data.to}`);
    });
    h.start();
    const schedules = ['a', 'b', 'c'].map((name) => h.service.add(scheduleInput(name, { kind: 'daily', time: '00:05', days: [] })));
    await h.advanceTo(T0 + 5 * MIN);
    assert.deepEqual(commits.find((c) => c.includes('fired a')), ['fired a', 'fired b', 'fired c', 'a running', 'b running'], 'the slots, their runs and the two starts the limit allows commit together');
    assert.deepEqual(schedules.map((s) => h.slots(s.id)[0].status), ['running', 'running', 'running'], 'the waiting run’s slot counts as in flight');
    assert.deepEqual(h.queue!.queued().map((q) => names.get(q.runId)), ['c']);
    await h.advanceTo(T0 + 15 * MIN);
    assert.deepEqual(commits.flat().filter((m) => m.endsWith(' running')), ['a running', 'b running', 'c running']);
    assert.ok(commits.flat().indexOf('c running') > commits.flat().indexOf('a done'), 'c started after a run ended');
    await h.advanceTo(T0 + 25 * MIN);
    assert.deepEqual(schedules.map((s) => h.slots(s.id)[0].status), ['ran', 'ran', 'ran']);
  });
});
