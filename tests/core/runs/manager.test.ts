import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RUN_STATUSES, RUN_TRANSITIONS, type RunStatus } from '../../../core/contract/index.js';
import { openDatabase } from '../../../core/db/index.js';
import { EventLog } from '../../../core/events/index.js';
import { IllegalRunTransitionError, RunManager, RunQueries, createRunsProjector } from '../../../core/runs/index.js';
import { ManualClock } from '../../../core/util/clock.js';
import { createSequentialIds } from '../../../core/util/ids.js';
import { silentLogger } from '../../../core/util/logger.js';

function setup() {
  const { db } = openDatabase({ file: ':memory:' });
  const log = new EventLog(db, new ManualClock());
  log.addProjector(createRunsProjector(db));
  const runs = new RunManager(log, new RunQueries(db), createSequentialIds(), silentLogger);
  const create = () => log.transaction(() => runs.create({ kind: 'chat', title: 't' }));
  return { db, log, runs, create };
}

/** Drives a fresh run to `status` along allowed transitions. */
function reach(s: ReturnType<typeof setup>, status: RunStatus): string {
  const id = s.create();
  const path: Record<RunStatus, RunStatus[]> = {
    queued: [],
    running: ['running'],
    waiting_permission: ['running', 'waiting_permission'],
    done: ['running', 'done'],
    failed: ['running', 'failed'],
    cancelled: ['cancelled'],
  };
  for (const step of path[status]) s.log.transaction(() => s.runs.transition(id, step));
  return id;
}

describe('the run state machine', () => {
  for (const from of RUN_STATUSES) {
    for (const to of RUN_STATUSES) {
      const allowed = RUN_TRANSITIONS[from].includes(to);
      it(`${from} -> ${to} ${allowed ? 'is allowed' : 'throws'}`, () => {
        const s = setup();
        const id = reach(s, from);
        const before = s.log.head();
        if (allowed) {
          s.log.transaction(() => s.runs.transition(id, to));
          assert.equal(s.runs.get(id).status, to);
        } else {
          assert.throws(() => s.log.transaction(() => s.runs.transition(id, to)), IllegalRunTransitionError);
          assert.equal(s.runs.get(id).status, from);
          assert.equal(s.log.head(), before, 'a refused transition leaves no event');
        }
      });
    }
  }

  it('runs left unfinished by a dead process become failed: interrupted', () => {
    const s = setup();
    const running = reach(s, 'running');
    const waiting = reach(s, 'waiting_permission');
    const queued = reach(s, 'queued');
    const done = reach(s, 'done');
    const closed: string[] = [];
    const recovered = s.runs.recoverInterrupted((id) => closed.push(id));
    assert.deepEqual(recovered.sort(), [running, waiting, queued].sort());
    assert.deepEqual(closed.sort(), recovered.sort());
    for (const id of recovered) {
      const run = s.runs.get(id);
      assert.equal(run.status, 'failed');
      assert.equal(run.reason, 'interrupted');
    }
    assert.equal(s.runs.get(done).status, 'done');
  });

  it('cancel aborts the executor signal and nothing it emits afterwards is kept', async () => {
    const s = setup();
    const id = s.create();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let emittedAfter: boolean | null = null;
    let aborted = false;
    const finished = s.runs.start(id, async (ctx) => {
      ctx.signal.addEventListener('abort', () => (aborted = true));
      await gate;
      emittedAfter = ctx.emit('timeline.error', { code: 'x', message: 'late' });
      return { status: 'done' };
    });
    // `running` commits with the executor's first write, or on the event loop's next turn.
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(s.runs.get(id).status, 'running');
    const headBefore = s.log.head();
    const run = s.runs.cancel(id);
    assert.equal(run.status, 'cancelled');
    assert.equal(aborted, true);
    release();
    const final = await finished;
    assert.equal(final.status, 'cancelled');
    assert.equal(emittedAfter, false);
    assert.equal(s.log.head(), headBefore + 1, 'only the cancelled status was appended');
    assert.throws(() => s.runs.cancel(id), /already ended/);
  });

  it('an executor that throws ends its run failed with a readable error', async () => {
    const s = setup();
    const id = s.create();
    const run = await s.runs.start(id, async () => {
      throw new Error('kaboom');
    });
    assert.equal(run.status, 'failed');
    assert.equal(run.error, 'internal error: kaboom');
  });

  it('end steps run in the transaction that ends the run, before its status', async () => {
    const s = setup();
    const id = s.create();
    const run = s.runs.start(id, async (ctx) => {
      ctx.onEnd((status) => s.log.append('timeline.error', { code: 'closing', message: status }, id));
      await new Promise((r) => setTimeout(r, 5));
      return { status: 'done' };
    });
    s.runs.cancel(id);
    await run;
    const tail = s.log.since(0).slice(-2);
    assert.equal(tail[0].type, 'timeline.error');
    assert.equal(tail[0].type === 'timeline.error' && tail[0].data.message, 'cancelled');
    assert.equal(tail[1].type === 'run.status' && tail[1].data.to, 'cancelled');
  });
});

/** Counts the transactions the log commits (outermost ones) and the events each carried. */
function countCommits(s: ReturnType<typeof setup>): { types: string[][] } {
  const commits: { types: string[][] } = { types: [] };
  let current: string[] | null = null;
  const transaction = s.log.transaction.bind(s.log);
  s.log.transaction = <T>(fn: () => T): T => {
    if (current) return transaction(fn);
    current = [];
    try {
      return transaction(fn);
    } finally {
      commits.types.push(current);
      current = null;
    }
  };
  s.log.subscribe(s.log.head(), (event) => current?.push(event.type) ?? commits.types.at(-1)?.push(event.type));
  return commits;
}

describe('what a run writes, and in how many transactions', () => {
  it("a run's running status commits with its executor's first write, in one transaction", async () => {
    const s = setup();
    const id = s.create();
    const commits = countCommits(s);
    const run = s.runs.start(id, async (ctx) => {
      await Promise.resolve();
      ctx.emit('timeline.error', { code: 'first', message: 'first write' });
      return { status: 'done' };
    });
    assert.equal(s.runs.get(id).status, 'queued', 'nothing is written before the executor writes');
    await run;
    assert.deepEqual(commits.types, [
      ['run.status', 'timeline.error'],
      ['run.status'],
    ]);
    const statuses = s.log.since(0).filter((e) => e.type === 'run.status').map((e) => e.type === 'run.status' && e.data.to);
    assert.deepEqual(statuses, ['running', 'done']);
  });

  it('a run whose first write waits on the outside shows running on the next turn of the event loop', async () => {
    const s = setup();
    const id = s.create();
    let release!: () => void;
    const outside = new Promise<void>((resolve) => (release = resolve));
    const run = s.runs.start(id, async () => {
      await outside;
      return { status: 'done' };
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(s.runs.get(id).status, 'running');
    release();
    assert.equal((await run).status, 'done');
  });

  it("deferred writes and events commit in order with the run's next write, or with its end", async () => {
    const s = setup();
    const id = s.create();
    const commits = countCommits(s);
    const run = s.runs.start(id, async (ctx) => {
      ctx.emitLater('timeline.error', { code: 'a', message: 'later' });
      ctx.defer(() => s.log.append('timeline.error', { code: 'b', message: 'deferred' }, id));
      ctx.emit('timeline.error', { code: 'c', message: 'now' });
      ctx.emitLater('timeline.error', { code: 'd', message: 'at the end' });
      return { status: 'done' };
    });
    await run;
    assert.deepEqual(commits.types, [
      ['run.status', 'timeline.error', 'timeline.error', 'timeline.error'],
      ['timeline.error', 'run.status'],
    ]);
    const codes = s.log.since(0).flatMap((e) => (e.type === 'timeline.error' ? [e.data.code] : []));
    assert.deepEqual(codes, ['a', 'b', 'c', 'd']);
  });

  it('what a run deferred commits on the next turn of the event loop when nothing else writes', async () => {
    const s = setup();
    const id = s.create();
    let release!: () => void;
    const outside = new Promise<void>((resolve) => (release = resolve));
    const run = s.runs.start(id, async (ctx) => {
      ctx.emitLater('timeline.error', { code: 'a', message: 'later' });
      await outside;
      return { status: 'done' };
    });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(
      s.log.since(0).filter((e) => e.runId === id && e.type !== 'run.created').map((e) => e.type),
      ['run.status', 'timeline.error'],
    );
    release();
    await run;
  });

  it('an event the contract refuses fails emitLater at once, not the write it would ride with', async () => {
    const s = setup();
    const id = s.create();
    const run = await s.runs.start(id, async (ctx) => {
      assert.throws(() => ctx.emitLater('timeline.error', { code: 1 } as never));
      return { status: 'done' };
    });
    assert.equal(run.status, 'done');
  });

  it('a deferred write that throws loses only its own appends: the write it rides with commits, with no gap in the log', async () => {
    const s = setup();
    const id = s.create();
    const seen: number[] = [];
    const head = s.log.head();
    s.log.subscribe(head, (e) => seen.push(e.seq));
    const run = await s.runs.start(id, async (ctx) => {
      ctx.defer(() => {
        s.log.append('timeline.error', { code: 'half', message: 'appended before the step threw' }, id);
        throw new Error('a bug');
      });
      ctx.emit('timeline.error', { code: 'kept', message: 'kept' });
      return { status: 'done' };
    });
    assert.equal(run.status, 'done');
    const events = s.log.since(0);
    assert.ok(events.some((e) => e.type === 'timeline.error' && e.data.code === 'kept'));
    assert.ok(!events.some((e) => e.type === 'timeline.error' && e.data.code === 'half'), 'the throwing step took back its own append');
    const seqs = events.map((e) => e.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => seqs[0] + i), 'no gap in the log');
    assert.deepEqual(seen, seqs.filter((q) => q > head), 'subscribers saw every committed event');
  });

  it('a database error while saving a deferred write stops that run, not the process: it ends failed and says why', async () => {
    const s = setup();
    const id = s.create();
    let reason: unknown;
    const run = await s.runs.start(id, async (ctx) => {
      ctx.defer(() => {
        throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      });
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      reason = ctx.signal.reason;
      return { status: 'failed', reason: 'internal', error: (reason as Error).message };
    });
    assert.equal(run.status, 'failed');
    assert.match((reason as Error).message, /could not save its progress: database or disk is full/);
  });

  it("a run's transaction that rolls back leaves its running and deferred writes for the next one", async () => {
    const s = setup();
    const id = s.create();
    const run = await s.runs.start(id, async (ctx) => {
      ctx.emitLater('timeline.error', { code: 'deferred', message: 'deferred' });
      assert.throws(() =>
        ctx.transaction(() => {
          s.log.append('timeline.error', { code: 'rolled back', message: 'rolled back' }, id);
          throw new Error('rolled back');
        }),
      );
      assert.equal(s.runs.get(id).status, 'queued');
      ctx.emit('timeline.error', { code: 'after', message: 'after' });
      return { status: 'done' };
    });
    assert.equal(run.status, 'done');
    const events = s.log.since(0).filter((e) => e.runId === id);
    assert.deepEqual(
      events.map((e) => (e.type === 'run.status' ? e.data.to : e.type === 'timeline.error' ? e.data.code : e.type)),
      ['run.created', 'running', 'deferred', 'after', 'done'],
    );
  });

  it('a run whose end step throws still ends, failed and saying why, with what it deferred committed, and nothing of the end that rolled back published', async () => {
    const s = setup();
    const id = s.create();
    const head = s.log.head();
    const seen: number[] = [];
    s.log.subscribe(head, (e) => seen.push(e.seq));
    // A step after every run's end that appends and then throws: its append is taken back too.
    s.runs.onEnded(() => {
      s.log.append('timeline.error', { code: 'ended half', message: 'appended before the step threw' }, null);
      throw new Error('a bug after the end');
    });
    const run = await s.runs.start(id, async (ctx) => {
      ctx.emitLater('timeline.error', { code: 'deferred', message: 'deferred' });
      ctx.defer(() => s.log.append('timeline.error', { code: 'deferred write', message: 'deferred write' }, id));
      ctx.onEnd(() => s.log.append('timeline.error', { code: 'closed', message: 'open work closed' }, id));
      ctx.onEnd(() => {
        s.log.append('timeline.error', { code: 'half', message: 'appended before the step threw' }, id);
        throw new Error('the worker could not close its work');
      });
      return { status: 'done' };
    });
    assert.equal(run.status, 'failed');
    assert.equal(run.reason, 'internal');
    assert.match(run.error ?? '', /could not end \(done\): the worker could not close its work/);
    const events = s.log.since(head);
    assert.deepEqual(
      events.filter((e) => e.runId === id).map((e) => (e.type === 'run.status' ? e.data.to : e.type === 'timeline.error' ? e.data.code : e.type)),
      ['running', 'deferred', 'deferred write', 'closed', 'failed'],
    );
    assert.ok(!events.some((e) => e.type === 'timeline.error' && (e.data.code === 'half' || e.data.code === 'ended half')), 'the throwing steps took back their appends');
    const seqs = events.map((e) => e.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => head + 1 + i), 'no gap in the log');
    assert.deepEqual(seen, seqs, 'subscribers heard exactly what committed, once');
    assert.equal(s.runs.isActive(id), false);
    assert.equal(s.runs.idle(), null);
  });

  it('cancelling a run whose end step throws does not throw: the run ends failed, saying why, and its executor’s later outcome is ignored', async () => {
    const s = setup();
    const id = s.create();
    const run = s.runs.start(id, async (ctx) => {
      ctx.emit('timeline.error', { code: 'started', message: 'started' });
      ctx.emitLater('timeline.error', { code: 'deferred', message: 'deferred' });
      ctx.onEnd((status) => {
        if (status === 'cancelled') throw new Error('closing the stream failed');
      });
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      return { status: 'done' };
    });
    await waitUntil(() => s.runs.get(id).status === 'running');
    const cancelled = s.runs.cancel(id);
    assert.equal(cancelled.status, 'failed');
    assert.match(cancelled.error ?? '', /could not end \(cancelled\): closing the stream failed/);
    assert.equal((await run).status, 'failed');
    assert.deepEqual(
      s.log.since(0).filter((e) => e.runId === id && e.type !== 'run.created').map((e) => (e.type === 'run.status' ? e.data.to : e.type === 'timeline.error' ? e.data.code : e.type)),
      ['running', 'started', 'deferred', 'failed'],
    );
  });

  it("a run cancelled inside a caller's transaction, whose end step throws, ends failed with each of its events once, beside the caller's", async () => {
    const s = setup();
    const id = s.create();
    const head = s.log.head();
    const seen: number[] = [];
    s.log.subscribe(head, (e) => seen.push(e.seq));
    const run = s.runs.start(id, async (ctx) => {
      ctx.emitLater('timeline.error', { code: 'deferred', message: 'deferred' });
      ctx.onEnd(() => s.log.append('timeline.error', { code: 'closed', message: 'open work closed' }, id));
      ctx.onEnd((status) => {
        if (status !== 'cancelled') return;
        s.log.append('timeline.error', { code: 'half', message: 'appended before the step threw' }, id);
        throw new Error('closing the stream failed');
      });
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      return { status: 'done' };
    });
    // The run's `running` and what it deferred have not committed yet: its end writes them.
    const cancelled = s.log.transaction(() => {
      s.log.append('timeline.error', { code: 'caller before', message: 'the caller wrote first' }, null);
      const ended = s.runs.cancel(id);
      s.log.append('timeline.error', { code: 'caller after', message: 'the caller wrote after' }, null);
      return ended;
    });
    assert.equal(cancelled.status, 'failed');
    assert.match(cancelled.error ?? '', /could not end \(cancelled\): closing the stream failed/);
    assert.equal((await run).status, 'failed');
    const events = s.log.since(head);
    assert.deepEqual(
      events.map((e) => (e.type === 'run.status' ? e.data.to : e.type === 'timeline.error' ? e.data.code : e.type)),
      ['caller before', 'running', 'deferred', 'closed', 'failed', 'caller after'],
    );
    const seqs = events.map((e) => e.seq);
    assert.deepEqual(seqs, seqs.map((_, i) => head + 1 + i), 'no gap in the log');
    assert.deepEqual(seen, seqs, 'subscribers heard exactly what committed, once');
    assert.equal(s.runs.isActive(id), false);
  });

  it("a run cancelled inside a caller's transaction that then rolls back still ends, in a transaction of its own, with each of its events once", async () => {
    const s = setup();
    const id = s.create();
    const head = s.log.head();
    const run = s.runs.start(id, async (ctx) => {
      ctx.emit('timeline.error', { code: 'started', message: 'started' });
      ctx.emitLater('timeline.error', { code: 'deferred', message: 'deferred' });
      ctx.onEnd((status) => s.log.append('timeline.error', { code: `closed ${status}`, message: 'open work closed' }, id));
      await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
      return { status: 'done' };
    });
    await waitUntil(() => s.runs.get(id).status === 'running');
    assert.throws(
      () =>
        s.log.transaction(() => {
          assert.equal(s.runs.cancel(id).status, 'cancelled');
          throw new Error('the caller fails after the cancel');
        }),
      /the caller fails/,
    );
    const final = await run;
    assert.equal(final.status, 'cancelled');
    assert.equal(final.reason, 'cancelled_by_user');
    assert.deepEqual(
      s.log.since(head).map((e) => (e.type === 'run.status' ? e.data.to : e.type === 'timeline.error' ? e.data.code : e.type)),
      ['running', 'started', 'deferred', 'closed cancelled', 'cancelled'],
    );
    assert.equal(s.runs.isActive(id), false);
    assert.equal(s.runs.idle(), null);
  });
});

/** Waits, a turn of the event loop at a time, until `ready` holds. */
async function waitUntil(ready: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !ready(); i++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(ready());
}
