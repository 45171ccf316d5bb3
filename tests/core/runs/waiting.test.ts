import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { RunKind } from '../../../core/contract/index.js';
import type { RunExecutor } from '../../../core/runs/index.js';
import { WaitingRuns, type StartMark, type WaitingRun } from '../../../core/runs/waiting.js';
import { ManualClock } from '../../../core/util/index.js';
import { startTestCore, waitFor } from '../../support/index.js';

/**
 * The queue's rule written out plainly: look at every waiting run, keep the one that goes first.
 * The user's runs first; then the kind, then the group, that started a run longest ago; then the
 * oldest. A group with nothing waiting and nothing running forgets when it last started (it comes
 * back as a group that never started). A transaction that rolls back is undone by restoring a copy
 * of everything taken before it: exactly as if it never happened.
 */
class Reference {
  waiting: WaitingRun[] = [];
  private lastStart = new Map<string, number>();
  private runningOf = new Map<string, number>();
  private starts = 0;

  next(canStart: (kind: RunKind) => boolean): WaitingRun | undefined {
    let best: WaitingRun | undefined;
    for (const w of this.waiting) if (canStart(w.kind) && (!best || this.compare(w, best) < 0)) best = w;
    return best;
  }

  started(w: WaitingRun): void {
    this.waiting.splice(this.waiting.indexOf(w), 1);
    const stamp = ++this.starts;
    this.lastStart.set(w.kind, stamp);
    this.lastStart.set(w.group, stamp);
    this.runningOf.set(w.group, (this.runningOf.get(w.group) ?? 0) + 1);
  }

  ended(w: WaitingRun): void {
    this.runningOf.set(w.group, this.runningOf.get(w.group)! - 1);
    this.forgetIfIdle(w.group);
  }

  remove(w: WaitingRun): void {
    this.waiting.splice(this.waiting.indexOf(w), 1);
    this.forgetIfIdle(w.group);
  }

  /** Groups whose last start is remembered. */
  rememberedGroups(): number {
    return [...this.lastStart.keys()].filter((key) => key.includes('/')).length;
  }

  /** Groups with a run waiting or running. */
  busyGroups(): number {
    return new Set([...this.waiting.map((w) => w.group), ...[...this.runningOf].filter(([, n]) => n > 0).map(([g]) => g)]).size;
  }

  /** A copy of the whole state; calling the result puts it back. */
  snapshot(): () => void {
    const copy = { waiting: [...this.waiting], lastStart: new Map(this.lastStart), runningOf: new Map(this.runningOf), starts: this.starts };
    return () => Object.assign(this, copy);
  }

  private forgetIfIdle(group: string): void {
    if (!this.runningOf.get(group) && !this.waiting.some((w) => w.group === group)) this.lastStart.delete(group);
  }

  private compare(a: WaitingRun, b: WaitingRun): number {
    if (a.priority !== b.priority) return a.priority === 'user' ? -1 : 1;
    const kind = (this.lastStart.get(a.kind) ?? 0) - (this.lastStart.get(b.kind) ?? 0);
    if (kind) return kind;
    const group = (this.lastStart.get(a.group) ?? 0) - (this.lastStart.get(b.group) ?? 0);
    if (group) return group;
    return a.order - b.order;
  }
}

const KINDS: RunKind[] = ['chat', 'schedule', 'worker', 'memory'];

type NewRun = { kind: number; group: number; user: boolean };
type Op =
  | ({ op: 'add' } & NewRun)
  | { op: 'remove'; pick: number }
  | { op: 'start'; limits: number[] }
  | { op: 'end'; pick: number }
  /** A transaction: queues `adds`, starts in it what `limits` allow (its own runs included), then commits or rolls back. */
  | { op: 'transaction'; adds: NewRun[]; limits: number[]; commit: boolean };

const newRunArb = fc.record({ kind: fc.nat(3), group: fc.nat(6), user: fc.boolean() });
const limitsArb = fc.array(fc.nat(3), { minLength: 4, maxLength: 4 });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: newRunArb.map((r) => ({ op: 'add' as const, ...r })) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), pick: fc.nat(1000) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('start' as const), limits: limitsArb }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('end' as const), pick: fc.nat(1000) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('transaction' as const), adds: fc.array(newRunArb, { maxLength: 3 }), limits: limitsArb, commit: fc.boolean() }) },
);

describe('the index of waiting runs', () => {
  it('starts runs in exactly the order of a look at every waiting run, whatever is queued, cancelled, started, ended, and started in a transaction that commits or rolls back, under whatever limits', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 300 }), (ops) => {
        const indexed = new WaitingRuns<WaitingRun>();
        const reference = new Reference();
        let running = new Map<RunKind, number>();
        let runningRuns: WaitingRun[] = [];
        let order = 0;
        const indexedStarts: string[] = [];
        const referenceStarts: string[] = [];
        const newRun = (r: NewRun): WaitingRun => {
          const kind = KINDS[r.kind];
          return { runId: `r${++order}`, kind, group: `${kind}/g${r.group}`, priority: r.user ? 'user' : 'background', order };
        };
        const add = (run: WaitingRun) => {
          indexed.add({ ...run });
          reference.waiting.push(run);
        };
        /** Starts what the limits allow, one at a time, as the queue's pump does; returns each start's mark. */
        const startAll = (limits: number[]) => {
          const marks: { run: WaitingRun; mark: StartMark }[] = [];
          const canStart = (kind: RunKind) => (running.get(kind) ?? 0) < limits[KINDS.indexOf(kind)];
          for (;;) {
            const want = reference.next(canStart);
            const got = indexed.next(canStart);
            assert.equal(got?.runId, want?.runId, 'the same run goes next');
            if (!want) return marks;
            reference.started(want);
            marks.push({ run: want, mark: indexed.start(want.runId) });
            running.set(want.kind, (running.get(want.kind) ?? 0) + 1);
            runningRuns.push(want);
            referenceStarts.push(want.runId);
            indexedStarts.push(got!.runId);
          }
        };
        for (const o of ops) {
          if (o.op === 'add') add(newRun(o));
          else if (o.op === 'remove') {
            if (!reference.waiting.length) continue;
            const gone = reference.waiting[o.pick % reference.waiting.length];
            reference.remove(gone);
            assert.equal(indexed.delete(gone.runId), true);
            assert.equal(indexed.delete(gone.runId), false, 'a run leaves once');
          } else if (o.op === 'end') {
            if (!runningRuns.length) continue;
            const [ended] = runningRuns.splice(o.pick % runningRuns.length, 1);
            running.set(ended.kind, running.get(ended.kind)! - 1);
            reference.ended(ended);
            indexed.ended(ended);
          } else if (o.op === 'start') startAll(o.limits);
          else {
            const restore = reference.snapshot();
            const before = { running: new Map(running), runningRuns: [...runningRuns], starts: referenceStarts.length };
            const created = o.adds.map(newRun);
            for (const run of created) add(run);
            const marks = startAll(o.limits);
            if (o.commit) continue;
            // Rolled back: as the queue does, newest start first, each run put back where it waited
            // (unless its creation was undone too), then the runs the transaction queued dropped.
            restore();
            running = before.running;
            runningRuns = before.runningRuns;
            referenceStarts.length = before.starts;
            indexedStarts.length = before.starts;
            for (const { run, mark } of marks.reverse()) {
              if (!created.includes(run)) indexed.add({ ...run });
              indexed.unstart(mark);
            }
            for (const run of created) indexed.delete(run.runId);
          }
          assert.equal(indexed.size, reference.waiting.length);
          assert.equal(indexed.rememberedGroups, reference.rememberedGroups(), 'the same groups remembered');
          assert.ok(indexed.rememberedGroups <= reference.busyGroups(), 'only groups with a run waiting or running are remembered');
        }
        assert.deepEqual(indexedStarts, referenceStarts);
        // Whatever is left drains in the same order too, and once everything has ended no group is remembered.
        const all = () => true;
        for (let want = reference.next(all); want; want = reference.next(all)) {
          assert.equal(indexed.next(all)?.runId, want.runId);
          reference.started(want);
          indexed.start(want.runId);
          runningRuns.push(want);
        }
        assert.equal(indexed.size, 0);
        assert.equal(indexed.next(all), undefined);
        for (const run of runningRuns) indexed.ended(run);
        assert.equal(indexed.rememberedGroups, 0);
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('a backlog of 400 runs in 40 groups through the real queue starts on the test clock in the order of the plain rule, a user run queued later first and cancelled runs never', async () => {
    const clock = new ManualClock();
    const t = await startTestCore({ clock, runLimits: { perKind: { schedule: 1 } } });
    try {
      const started: string[] = [];
      const job =
        (title: string): (() => RunExecutor) =>
        () =>
        async (ctx) => {
          started.push(title);
          await new Promise<void>((resolve) => {
            const timer = clock.setTimeout(resolve, 10);
            ctx.signal.addEventListener('abort', () => {
              clock.clearTimeout(timer);
              resolve();
            });
          });
          return { status: 'done' };
        };
      // The same steps on the plain rule, one run at a time (the limit is 1).
      const reference = new Reference();
      const expected: string[] = [];
      let last: WaitingRun | undefined;
      const startNext = () => {
        // One at a time: the run before has ended.
        if (last) reference.ended(last);
        last = reference.next(() => true);
        if (last) {
          reference.started(last);
          expected.push(last.runId);
        }
      };
      const ids = new Map<string, string>();
      const queue = (title: string, group: string, priority: 'user' | 'background' = 'background') => {
        const runId = t.core.queue.enqueue({ kind: 'schedule', title, group, priority, executor: job(title) }).runId;
        ids.set(runId, title);
        reference.waiting.push({ runId, kind: 'schedule', group: `schedule/${group}`, priority, order: ids.size });
        return runId;
      };
      // Group g receives runs g, g+40, g+80, …: 10 each, queued in one go.
      const byTitle = new Map<string, string>();
      for (let i = 0; i < 400; i++) byTitle.set(`g${i % 40}#${Math.floor(i / 40)}`, queue(`g${i % 40}#${Math.floor(i / 40)}`, `g${i % 40}`));
      await waitFor(() => started.length === 1, 'the first run started');
      startNext();
      // Cancelled while they wait: every run of group 7, and a late run of group 3 (group 3 then
      // has waited longest and goes ahead of its turn: the rule, kept).
      for (const title of [...byTitle.keys()].filter((title) => title.startsWith('g7#') || title === 'g3#5')) {
        const runId = byTitle.get(title)!;
        t.core.runs.cancel(runId);
        reference.remove(reference.waiting.find((w) => w.runId === runId)!);
      }
      while (reference.waiting.length) {
        if (started.length === 200 && !started.includes('user')) {
          // A run the user waits for, in a group of its own, goes before the whole backlog.
          queue('user', 'user', 'user');
        }
        const before = started.length;
        clock.advance(10);
        await new Promise((resolve) => setImmediate(resolve));
        await waitFor(() => started.length > before, `run ${before + 1} started`);
        startNext();
      }
      clock.advance(10);
      await t.core.idle();
      assert.deepEqual(
        started,
        expected.map((runId) => ids.get(runId)),
      );
      assert.equal(started.length, 400 - 10 - 1 + 1);
      assert.equal(started[200], 'user', 'the user’s run starts as soon as the run before it ends');
      assert.deepEqual(started.slice(0, 4), ['g0#0', 'g1#0', 'g2#0', 'g3#0'], 'the groups take turns');
      assert.deepEqual(t.core.queue.queued(), []);
    } finally {
      await t.close();
    }
  });
});
