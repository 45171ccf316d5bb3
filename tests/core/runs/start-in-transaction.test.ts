import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RunKind } from '../../../core/contract/index.js';
import { openDatabase } from '../../../core/db/index.js';
import { EventLog } from '../../../core/events/index.js';
import { RunManager, RunQueries, RunQueue, createRunsProjector, type RunLimits } from '../../../core/runs/index.js';
import { ManualClock } from '../../../core/util/clock.js';
import { createSequentialIds } from '../../../core/util/ids.js';
import { silentLogger } from '../../../core/util/logger.js';

/** The real run queue on a real database; each run records its title when its work begins and ends at once. */
function setup(limits: Partial<RunLimits>) {
  const { db } = openDatabase({ file: ':memory:' });
  const log = new EventLog(db, new ManualClock());
  log.addProjector(createRunsProjector(db));
  const runs = new RunManager(log, new RunQueries(db), createSequentialIds(), silentLogger);
  const queue = new RunQueue(runs, log, silentLogger, limits);
  const began: string[] = [];
  const statuses: { title: string; to: string }[] = [];
  const titles = new Map<string, string>();
  log.subscribe(log.head(), (e) => {
    if (e.type === 'run.created') titles.set(e.runId!, e.data.title);
    if (e.type === 'run.status') statuses.push({ title: titles.get(e.runId!)!, to: e.data.to });
  });
  const enqueue = (kind: RunKind, title: string, group?: string) =>
    queue.enqueue({
      kind,
      title,
      group,
      executor: () => {
        began.push(title);
        return async () => ({ status: 'done' });
      },
    }).runId;
  const statusOf = (runId: string) => runs.get(runId).status;
  return { log, runs, queue, began, statuses, enqueue, statusOf };
}

/** Titles of the runs whose `running` committed, in log order. */
function startedOrder(s: ReturnType<typeof setup>): string[] {
  return s.statuses.filter((m) => m.to === 'running').map((m) => m.title);
}

/** The most runs that were `running` at once, from the log. */
function peak(s: ReturnType<typeof setup>): number {
  const now = new Set<string>();
  let max = 0;
  for (const m of s.statuses) {
    if (m.to === 'running') now.add(m.title);
    else now.delete(m.title);
    max = Math.max(max, now.size);
  }
  return max;
}

describe('starting runs inside a transaction (RunQueue.startInTransaction)', () => {
  it('keeps the limits inside the transaction: of five runs it queued with room for two, two commit running and three stay queued, and no work begins before the commit', async () => {
    const s = setup({ perKind: { worker: 2 } });
    const ids = s.log.transaction(() => {
      const made = [0, 1, 2, 3, 4].map((i) => s.enqueue('worker', `w${i}`));
      s.queue.startInTransaction();
      // Called again in the same transaction, it finds no more room.
      s.queue.startInTransaction();
      assert.deepEqual(made.map(s.statusOf), ['running', 'running', 'queued', 'queued', 'queued']);
      assert.deepEqual(s.began, [], 'no run’s work is built inside the transaction');
      return made;
    });
    assert.deepEqual(s.began, [], 'nor synchronously after the commit');
    assert.deepEqual(s.statuses, [{ title: 'w0', to: 'running' }, { title: 'w1', to: 'running' }], 'the two starts committed with the creations');
    await s.queue.idle();
    assert.deepEqual(s.began, ['w0', 'w1', 'w2', 'w3', 'w4']);
    assert.deepEqual(startedOrder(s), ['w0', 'w1', 'w2', 'w3', 'w4']);
    assert.equal(peak(s), 2);
    assert.deepEqual(ids.map(s.statusOf), Array(5).fill('done'));
  });

  it('a transaction that rolls back gives the room back: its runs never exist, and runs queued before it start within the limit', async () => {
    const s = setup({ perKind: { worker: 2 } });
    const before = [0, 1].map((i) => s.enqueue('worker', `before ${i}`));
    assert.throws(() =>
      s.log.transaction(() => {
        s.enqueue('worker', 'rolled back');
        s.queue.startInTransaction();
        assert.deepEqual(before.map(s.statusOf), ['running', 'running'], 'the two that waited longest took the room');
        throw new Error('the batch gave up');
      }),
    );
    assert.deepEqual(before.map(s.statusOf), ['queued', 'queued']);
    // The room is back at once: the next transaction starts them.
    s.log.transaction(() => s.queue.startInTransaction());
    assert.deepEqual(before.map(s.statusOf), ['running', 'running']);
    const after = s.enqueue('worker', 'after');
    await s.queue.idle();
    assert.deepEqual(s.began, ['before 0', 'before 1', 'after']);
    assert.equal(peak(s), 2);
    assert.equal(s.statusOf(after), 'done');
    assert.ok(!s.statuses.some((m) => m.title === 'rolled back'), 'the rolled-back run left nothing in the log');
  });

  it('a run started in a transaction that rolled back goes back to the head of its group and its group’s turn is undone: runs start as if the transaction never happened', async () => {
    const s = setup({ perKind: { schedule: 1 } });
    const a1 = s.enqueue('schedule', 'A#1', 'A');
    s.enqueue('schedule', 'A#2', 'A');
    s.enqueue('schedule', 'C#1', 'C');
    assert.throws(() =>
      s.log.transaction(() => {
        s.queue.startInTransaction();
        assert.equal(s.statusOf(a1), 'running');
        throw new Error('the batch gave up');
      }),
    );
    assert.deepEqual(s.queue.queued().map((q) => q.runId)[0], a1, 'A#1 waits first again');
    await s.queue.idle();
    // A#1 waited longest; then schedule C, which never started, before A's second run.
    assert.deepEqual(startedOrder(s), ['A#1', 'C#1', 'A#2']);
  });

  it('a later transaction in the same turn sees what a rolled-back one took: the same run starts in it, in its place', async () => {
    const s = setup({ perKind: { schedule: 1 } });
    const a1 = s.enqueue('schedule', 'A#1', 'A');
    s.enqueue('schedule', 'A#2', 'A');
    s.enqueue('schedule', 'C#1', 'C');
    assert.throws(() =>
      s.log.transaction(() => {
        s.queue.startInTransaction();
        throw new Error('the batch gave up');
      }),
    );
    s.log.transaction(() => s.queue.startInTransaction());
    assert.equal(s.statusOf(a1), 'running', 'A#1 started in the second transaction');
    await s.queue.idle();
    assert.deepEqual(startedOrder(s), ['A#1', 'C#1', 'A#2']);
    assert.deepEqual(s.began, ['A#1', 'C#1', 'A#2']);
  });

  it('of several runs of several groups started in one transaction that rolled back, each goes back where it waited, newest start undone first', async () => {
    const s = setup({ perKind: { schedule: 3 } });
    // A#1 and A#2, B#1 and B#2, C#1: with room for three, the transaction takes A#1, B#1 and C#1.
    for (const [title, group] of [['A#1', 'A'], ['A#2', 'A'], ['B#1', 'B'], ['B#2', 'B'], ['C#1', 'C']]) s.enqueue('schedule', title, group);
    assert.throws(() =>
      s.log.transaction(() => {
        s.queue.startInTransaction();
        throw new Error('the batch gave up');
      }),
    );
    await s.queue.idle();
    assert.deepEqual(startedOrder(s).slice(0, 3), ['A#1', 'B#1', 'C#1']);
    assert.deepEqual(startedOrder(s).slice(3), ['A#2', 'B#2']);
  });
});

describe('what the run queue remembers of its groups', () => {
  it('keeps a turn only for groups with a run waiting or running: after 100 parents’ workers (started, claimed in transactions that commit or roll back, cancelled) nothing is left', async () => {
    const s = setup({ perKind: { worker: 3 } });
    const ids: string[] = [];
    let cancelled = 0;
    for (let p = 0; p < 100; p++) {
      if (p % 10 === 0) {
        // A transaction that takes what has room, then rolls back.
        assert.throws(() =>
          s.log.transaction(() => {
            s.enqueue('worker', `rolled back ${p}`, `parent ${p}`);
            s.queue.startInTransaction();
            throw new Error('gave up');
          }),
        );
      }
      ids.push(s.enqueue('worker', `p${p} first`, `parent ${p}`), s.enqueue('worker', `p${p} second`, `parent ${p}`));
      if (p % 10 === 5) s.log.transaction(() => s.queue.startInTransaction());
      if (p % 7 === 3) {
        s.runs.cancel(ids.at(-1)!);
        cancelled++;
      }
      assert.ok(s.queue.rememberedGroups() <= p + 1);
    }
    await s.queue.idle();
    assert.equal(s.queue.rememberedGroups(), 0);
    assert.equal(peak(s), 3);
    assert.equal(s.began.length, 200 - cancelled, 'every run not cancelled began once');
  });
});
