import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AppEvent, RunKind } from '../../../core/contract/index.js';
import type { RunContext, RunExecutor } from '../../../core/runs/index.js';
import { runCommandTool } from '../../../core/tools/index.js';
import { ManualClock } from '../../../core/util/index.js';
import { alive, pidIn, startTestCore, waitFor, type TestCore } from '../../support/index.js';

/** Waits `ms` on the test's clock; a cancel ends the wait at once. */
function wait(clock: ManualClock, ctx: RunContext, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(resolve, ms);
    ctx.signal.addEventListener('abort', () => {
      clock.clearTimeout(timer);
      resolve();
    });
  });
}


function startedOrder(t: TestCore): string[] {
  const titles = new Map(t.events.filter((e) => e.type === 'run.created').map((e) => [e.runId!, (e.data as { title: string }).title]));
  return t.events.filter((e) => e.type === 'run.status' && e.data.to === 'running').map((e) => titles.get(e.runId!)!);
}

/** The most runs of each kind (and in all) that were `running` at the same moment, from the log. */
function peaks(events: readonly AppEvent[]): Record<string, number> {
  const kinds = new Map(events.filter((e) => e.type === 'run.created').map((e) => [e.runId!, (e.data as { kind: RunKind }).kind]));
  const now = new Map<string, number>();
  const peak: Record<string, number> = {};
  for (const e of events) {
    if (e.type !== 'run.status') continue;
    const kind = kinds.get(e.runId!)!;
    const delta = e.data.to === 'running' && e.data.from === 'queued' ? 1 : ['done', 'failed', 'cancelled'].includes(e.data.to) && e.data.from !== 'queued' ? -1 : 0;
    for (const key of [kind, 'total']) {
      now.set(key, (now.get(key) ?? 0) + delta);
      peak[key] = Math.max(peak[key] ?? 0, now.get(key)!);
    }
  }
  return peak;
}

/** Moves the clock in small steps, letting runs react, until nothing waits or runs. */
async function drive(t: TestCore, clock: ManualClock): Promise<void> {
  let done = false;
  void t.core.idle().then(() => (done = true));
  while (!done) {
    clock.advance(50);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('the run queue', () => {
  it('chat, schedule and worker runs queued together keep their limits, the user’s chat goes first and kinds and schedules take turns', async () => {
    const clock = new ManualClock();
    const t = await startTestCore({ clock, runLimits: { perKind: { chat: 1, schedule: 1, worker: 2 }, total: 3 } });
    try {
      const job =
        (ms: number): (() => RunExecutor) =>
        () =>
        async (ctx) => {
          await wait(clock, ctx, ms);
          return { status: 'done' };
        };
      const enqueue = (kind: RunKind, title: string, ms: number, extra: { priority?: 'user'; group?: string } = {}) =>
        t.core.queue.enqueue({ kind, title, executor: job(ms), ...extra }).runId;
      // Queued in one go, in this order; nothing has started yet.
      enqueue('schedule', 'report A#1', 100, { group: 'A' });
      enqueue('schedule', 'report A#2', 100, { group: 'A' });
      enqueue('schedule', 'digest B#1', 100, { group: 'B' });
      enqueue('worker', 'worker 1', 250);
      enqueue('worker', 'worker 2', 250);
      enqueue('worker', 'worker 3', 250);
      enqueue('chat', 'chat 1', 50, { priority: 'user' });
      enqueue('chat', 'chat 2', 50, { priority: 'user' });
      assert.deepEqual(t.core.queue.queued().map((q) => q.kind), ['chat', 'chat', 'schedule', 'schedule', 'schedule', 'worker', 'worker', 'worker']);

      await waitFor(() => startedOrder(t).length === 3, 5000, 'the first three runs');
      // The user's chat first; then schedule and worker take turns until the total cap of three.
      assert.deepEqual(startedOrder(t), ['chat 1', 'report A#1', 'worker 1']);
      clock.advance(50);
      await waitFor(() => startedOrder(t).length === 4, 5000, 'the second chat');
      assert.equal(startedOrder(t)[3], 'chat 2', 'a chat turn starts as soon as the one before it ends');
      clock.advance(50);
      await waitFor(() => startedOrder(t).length === 6, 5000, 'the slots freed by chat 2 and report A#1');
      // Report A#1 and chat 2 end together; a worker and schedule B take the two slots. Schedule B
      // has waited longest as a group, so it goes before A's second report, queued earlier.
      assert.deepEqual(startedOrder(t).slice(4).sort(), ['digest B#1', 'worker 2']);
      await drive(t, clock);
      assert.deepEqual(startedOrder(t).slice(6).sort(), ['report A#2', 'worker 3']);
      assert.deepEqual(peaks(t.events), { chat: 1, schedule: 1, worker: 2, total: 3 });
      const runs = await t.client.call('runs.list', { limit: 20 });
      assert.deepEqual(new Set(runs.runs.map((r) => r.status)), new Set(['done']));
    } finally {
      await t.close();
    }
  });

  it('cancelling a parent cancels two levels of children, queued or running, their commands are killed and nothing of them is emitted after cancelled', async () => {
    const clock = new ManualClock();
    const t = await startTestCore({ clock, runLimits: { perKind: { worker: 3 } } });
    const root = join(t.dataDir, 'workspace');
    mkdirSync(root, { recursive: true });
    try {
      const ids: Record<string, string> = {};
      // Each level starts a command that sleeps (a shell and its child, pids written down) and its
      // own child runs; with three workers at most, the grandchild's sibling waits for a slot.
      const tree: Record<string, string[]> = { parent: ['child'], child: ['grandchild', 'waiting grandchild'], grandchild: [], 'waiting grandchild': [] };
      const level = (name: string): (() => RunExecutor) => () => async (ctx) => {
        for (const child of tree[name]) ids[child] = t.core.queue.enqueue({ kind: 'worker', title: child, parentRunId: ctx.runId, executor: level(child) }).runId;
        const file = name.replace(' ', '-');
        await runCommandTool
          .run({ command: `sleep 60 & echo $! > ${file}.child; echo $$ > ${file}.shell; wait` }, { runId: ctx.runId, signal: ctx.signal, clock, roots: [root], env: { PATH: process.env.PATH ?? '' }, notifier: null, timeZone: 'UTC' })
          .catch(() => undefined);
        ctx.emit('timeline.error', { code: 'after', message: `${name} emitted after its command` });
        return { status: 'done' };
      };
      ids.parent = t.core.queue.enqueue({ kind: 'worker', title: 'parent', executor: level('parent') }).runId;
      const names = ['parent', 'child', 'grandchild'];
      const files = names.flatMap((n) => ['shell', 'child'].map((f) => join(root, `${n}.${f}`)));
      await waitFor(() => files.every((f) => pidIn(f) !== undefined), 10_000, 'three commands started');
      const pids = files.map((f) => pidIn(f)!);
      assert.ok(pids.every(alive), 'every command runs');
      assert.equal((await t.client.call('runs.get', { runId: ids['waiting grandchild'] })).status, 'queued');

      const cancelled = await t.client.call('runs.cancel', { runId: ids.parent });
      assert.equal(cancelled.status, 'cancelled');
      for (const name of ['child', 'grandchild', 'waiting grandchild']) {
        const run = await t.client.call('runs.get', { runId: ids[name] });
        assert.equal(run.status, 'cancelled', name);
        assert.equal(run.reason, 'parent_cancelled', name);
      }
      await waitFor(() => pids.every((p) => !alive(p)), 5000, 'every process of every level gone');
      await t.core.idle();
      for (const name of Object.keys(ids)) {
        const events = t.events.filter((e) => e.runId === ids[name]);
        const last = events.at(-1);
        assert.equal(last?.type === 'run.status' && last.data.to, 'cancelled', `${name} ends with cancelled`);
        assert.ok(!events.some((e) => e.type === 'timeline.error'), `${name} emitted nothing after it was cancelled`);
      }
      assert.ok(!t.events.some((e) => e.runId === ids['waiting grandchild'] && e.type === 'run.status' && e.data.to === 'running'), 'the waiting grandchild never started');
      const order = t.events.filter((e) => e.type === 'run.status' && e.data.to === 'cancelled').map((e) => Object.keys(ids).find((n) => ids[n] === e.runId));
      assert.equal(order.at(-1), 'parent', 'descendants end before their parent');
    } finally {
      await t.close();
    }
  });

  it('of a hundred waiting runs, one cancelled while it waits and one whose creating transaction rolled back never start; the rest start in order, within the limit', async () => {
    const clock = new ManualClock();
    const t = await startTestCore({ clock });
    try {
      t.core.queue.setLimit('worker', 2);
      const started: string[] = [];
      const queue = (title: string) =>
        t.core.queue.enqueue({
          kind: 'worker',
          title,
          executor: () => async (ctx) => {
            started.push(title);
            await wait(clock, ctx, 10);
            return { status: 'done' };
          },
        }).runId;
      const ids = Array.from({ length: 100 }, (_, i) => queue(`w${i}`));
      assert.throws(() =>
        t.core.log.transaction(() => {
          queue('rolled back');
          throw new Error('the caller gave up');
        }),
      );
      // Let the first two start, then cancel ones that wait: one near the front, one at the back.
      // A run shows `running` with its first write, or on the event loop's next turn: these write nothing.
      await waitFor(() => started.length === 2 && ids.slice(0, 2).every((id) => t.core.runs.get(id).status === 'running'), 5000, 'the first two started');
      t.core.runs.cancel(ids[2]);
      t.core.runs.cancel(ids[99]);
      await drive(t, clock);
      const expected = ids.map((_, i) => `w${i}`).filter((title) => title !== 'w2' && title !== 'w99');
      assert.deepEqual(started, expected);
      assert.equal(peaks(t.events).worker, 2);
      assert.equal(t.events.filter((e) => e.type === 'run.created').length, 100, 'the rolled-back run was never created');
      for (const id of [ids[2], ids[99]]) assert.equal(t.core.runs.get(id).status, 'cancelled');
    } finally {
      await t.close();
    }
  });

  it('idle() waits for runs of every kind, including ones a run queues while it runs', async () => {
    const clock = new ManualClock();
    const t = await startTestCore({ clock });
    try {
      let childDone = false;
      t.core.queue.enqueue({
        kind: 'schedule',
        title: 'parent',
        executor: () => async (ctx) => {
          t.core.queue.enqueue({
            kind: 'worker',
            title: 'child',
            parentRunId: ctx.runId,
            executor: () => async (c) => {
              await wait(clock, c, 10);
              childDone = true;
              return { status: 'done' };
            },
          });
          return { status: 'done' };
        },
      });
      const idle = t.core.idle();
      await waitFor(() => clock.pendingTimers() > 0, 5000, 'the child waiting on the clock');
      let settled = false;
      void idle.then(() => (settled = true));
      await new Promise((r) => setImmediate(r));
      assert.equal(settled, false, 'idle waits while the child runs');
      clock.advance(10);
      await idle;
      assert.equal(childDone, true);
    } finally {
      await t.close();
    }
  });
});
