import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { RunKind } from '../../../core/contract/index.js';
import type { RunExecutor } from '../../../core/runs/index.js';
import { WaitingRuns, type WaitingRun } from '../../../core/runs/waiting.js';
import { ManualClock } from '../../../core/util/index.js';
import { startTestCore, waitFor } from '../../support/index.js';

/**
 * The queue's rule written out plainly, as it was before the index: look at every waiting run, keep
 * the one that goes first. The user's runs first; then the kind, then the group, that started a run
 * longest ago; then the oldest.
 */
class Reference {
  readonly waiting: WaitingRun[] = [];
  private readonly lastStart = new Map<string, number>();
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

type Op =
  | { op: 'add'; kind: number; group: number; user: boolean }
  | { op: 'remove'; pick: number }
  | { op: 'start'; limits: number[] }
  | { op: 'end'; pick: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ op: fc.constant('add' as const), kind: fc.nat(3), group: fc.nat(6), user: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('remove' as const), pick: fc.nat(1000) }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('start' as const), limits: fc.array(fc.nat(3), { minLength: 4, maxLength: 4 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('end' as const), pick: fc.nat(1000) }) },
);

describe('the index of waiting runs', () => {
  it('starts runs in exactly the order of a look at every waiting run, whatever is queued, cancelled, started and ended, and under whatever limits', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 1, maxLength: 300 }), (ops) => {
        const indexed = new WaitingRuns<WaitingRun>();
        const reference = new Reference();
        const running = new Map<RunKind, number>();
        const runningIds: WaitingRun[] = [];
        let order = 0;
        const indexedStarts: string[] = [];
        const referenceStarts: string[] = [];
        for (const o of ops) {
          if (o.op === 'add') {
            const kind = KINDS[o.kind];
            const run: WaitingRun = { runId: `r${++order}`, kind, group: `${kind}/g${o.group}`, priority: o.user ? 'user' : 'background', order };
            indexed.add({ ...run });
            reference.waiting.push(run);
          } else if (o.op === 'remove') {
            if (!reference.waiting.length) continue;
            const gone = reference.waiting[o.pick % reference.waiting.length];
            reference.waiting.splice(reference.waiting.indexOf(gone), 1);
            assert.equal(indexed.delete(gone.runId), true);
            assert.equal(indexed.delete(gone.runId), false, 'a run leaves once');
          } else if (o.op === 'end') {
            if (!runningIds.length) continue;
            const [ended] = runningIds.splice(o.pick % runningIds.length, 1);
            running.set(ended.kind, running.get(ended.kind)! - 1);
          } else {
            // Start what the limits allow, one at a time, as the queue's pump does.
            const canStart = (kind: RunKind) => (running.get(kind) ?? 0) < o.limits[KINDS.indexOf(kind)];
            for (;;) {
              const want = reference.next(canStart);
              const got = indexed.next(canStart);
              assert.equal(got?.runId, want?.runId, 'the same run goes next');
              if (!want) break;
              reference.started(want);
              indexed.delete(want.runId);
              indexed.started(want);
              running.set(want.kind, (running.get(want.kind) ?? 0) + 1);
              runningIds.push(want);
              referenceStarts.push(want.runId);
              indexedStarts.push(got!.runId);
            }
          }
          assert.equal(indexed.size, reference.waiting.length);
        }
        assert.deepEqual(indexedStarts, referenceStarts);
        // Whatever is left drains in the same order too.
        const all = () => true;
        for (let want = reference.next(all); want; want = reference.next(all)) {
          assert.equal(indexed.next(all)?.runId, want.runId);
          reference.started(want);
          indexed.delete(want.runId);
          indexed.started(want);
        }
        assert.equal(indexed.size, 0);
        assert.equal(indexed.next(all), undefined);
      }),
      { numRuns: 200, seed: 11 },
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
      const startNext = () => {
        const next = reference.next(() => true);
        if (next) {
          reference.started(next);
          expected.push(next.runId);
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
        reference.waiting.splice(reference.waiting.findIndex((w) => w.runId === runId), 1);
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
