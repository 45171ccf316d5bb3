import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ManualClock } from '../../../core/util/clock.js';

describe('the manual clock', () => {
  it('a delay that is not a finite number fires at once, as Node treats it, and holds up no other timer', () => {
    const clock = new ManualClock(0);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`ten@${clock.now()}`), 10);
    clock.setTimeout(() => seen.push(`nan@${clock.now()}`), Number.NaN);
    clock.setTimeout(() => seen.push(`inf@${clock.now()}`), Number.POSITIVE_INFINITY);
    clock.setTimeout(() => seen.push(`five@${clock.now()}`), 5);
    clock.advance(20);
    assert.deepEqual(seen, ['nan@0', 'inf@0', 'five@5', 'ten@10']);
    assert.equal(clock.pendingTimers(), 0);
  });

  it('fires due timers in order of due time, those due together in the order they were set, each seeing its own due time', () => {
    const clock = new ManualClock(1000);
    const seen: string[] = [];
    clock.setTimeout(() => seen.push(`c@${clock.now()}`), 30);
    clock.setTimeout(() => seen.push(`a@${clock.now()}`), 10);
    clock.setTimeout(() => seen.push(`b1@${clock.now()}`), 20);
    clock.setTimeout(() => seen.push(`b2@${clock.now()}`), 20);
    clock.setTimeout(() => seen.push(`late@${clock.now()}`), 31);
    clock.advance(30);
    assert.deepEqual(seen, ['a@1010', 'b1@1020', 'b2@1020', 'c@1030']);
    assert.equal(clock.now(), 1030);
    assert.equal(clock.pendingTimers(), 1);
    assert.equal(clock.nextTimerAt(), 1031);
  });

  it('a timer set while advancing fires in the same advance when it falls due before the target, after the timers due with it', () => {
    const clock = new ManualClock(0);
    const seen: string[] = [];
    clock.setTimeout(() => {
      seen.push('first');
      clock.setTimeout(() => seen.push(`chained@${clock.now()}`), 5);
      clock.setTimeout(() => seen.push(`now@${clock.now()}`), 0);
      clock.setTimeout(() => seen.push('beyond'), 100);
    }, 10);
    clock.setTimeout(() => seen.push(`same@${clock.now()}`), 10);
    clock.advance(50);
    assert.deepEqual(seen, ['first', 'same@10', 'now@10', 'chained@15']);
    assert.equal(clock.now(), 50);
    assert.equal(clock.nextTimerAt(), 110);
  });

  it('a cleared timer never fires, even when cleared by a timer due at the same time; clearing twice or an unknown handle does nothing', () => {
    const clock = new ManualClock(0);
    const seen: string[] = [];
    const gone = clock.setTimeout(() => seen.push('gone'), 5);
    clock.clearTimeout(gone);
    clock.clearTimeout(gone);
    let victim: ReturnType<ManualClock['setTimeout']> | null = null;
    clock.setTimeout(() => {
      seen.push('killer');
      clock.clearTimeout(victim!);
    }, 10);
    victim = clock.setTimeout(() => seen.push('victim'), 10);
    clock.setTimeout(() => seen.push('kept'), 10);
    assert.equal(clock.pendingTimers(), 3);
    assert.equal(clock.nextTimerAt(), 10);
    clock.advance(10);
    assert.deepEqual(seen, ['killer', 'kept']);
    assert.equal(clock.pendingTimers(), 0);
    assert.equal(clock.nextTimerAt(), null);
  });

  it('the earliest pending timer is reported after the one before it was cleared', () => {
    const clock = new ManualClock(0);
    const first = clock.setTimeout(() => {}, 5);
    clock.setTimeout(() => {}, 20);
    clock.clearTimeout(first);
    assert.equal(clock.nextTimerAt(), 20);
    assert.equal(clock.pendingTimers(), 1);
  });

  it('a jump moves the wall clock without firing anything, and pending timers keep the time they had left', () => {
    const clock = new ManualClock(0);
    const seen: number[] = [];
    clock.setTimeout(() => seen.push(clock.now()), 100);
    clock.setTimeout(() => seen.push(clock.now()), 300);
    clock.jump(1000);
    assert.deepEqual(seen, []);
    assert.equal(clock.now(), 1000);
    assert.equal(clock.nextTimerAt(), 1100);
    clock.jump(-50);
    assert.equal(clock.nextTimerAt(), 1050);
    clock.advance(300);
    assert.deepEqual(seen, [1050, 1250]);
  });

  it('keeps thousands of timers set and cleared in due order', () => {
    const clock = new ManualClock(0);
    const fired: number[] = [];
    const handles = [];
    // Due times in a scrambled order, every third cleared again.
    for (let i = 0; i < 3000; i++) handles.push(clock.setTimeout(() => fired.push(i), (i * 7919) % 3001));
    for (let i = 0; i < 3000; i += 3) clock.clearTimeout(handles[i]);
    assert.equal(clock.pendingTimers(), 2000);
    clock.advance(3001);
    const expected = Array.from({ length: 3000 }, (_, i) => i)
      .filter((i) => i % 3 !== 0)
      .sort((a, b) => ((a * 7919) % 3001) - ((b * 7919) % 3001) || a - b);
    assert.deepEqual(fired, expected);
    assert.equal(clock.pendingTimers(), 0);
  });
});
