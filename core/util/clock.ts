/** Time as core sees it. Injected everywhere so tests can run days of schedules in milliseconds. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export type TimerHandle = { readonly __timer: unique symbol } | ReturnType<typeof globalThis.setTimeout>;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const handle = globalThis.setTimeout(fn, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof globalThis.setTimeout>),
};

let systemZone: string | undefined;

/**
 * The system's IANA time zone, asked of ICU once, on first use: ICU's first use of the process costs
 * tens of ms (its data is opened and set up), which a start should not spend before it serves.
 */
export function localTimeZone(): string {
  systemZone ??= Intl.DateTimeFormat().resolvedOptions().timeZone;
  return systemZone;
}

type ManualTimer = { id: number; at: number; fn: () => void };

/** Whether `a` fires before `b`: earlier due time first, then the one set first. */
const before = (a: ManualTimer, b: ManualTimer) => a.at < b.at || (a.at === b.at && a.id < b.id);

/**
 * A clock that only moves when told. Timers fire in due order during `advance`, each seeing `now()`
 * at its due time. Pending timers are kept in a binary heap on (due time, order set), so a step costs
 * a logarithm of the pending count rather than a sort of them all; a cleared timer stays in the heap,
 * marked, until it reaches the top or the cleared ones outnumber the rest.
 */
export class ManualClock implements Clock {
  private current: number;
  private readonly heap: ManualTimer[] = [];
  /** Pending (not cleared, not fired) timers by id. */
  private readonly pending = new Map<number, ManualTimer>();
  private nextId = 1;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    // A delay that is not a finite number fires at once, as Node's does; NaN in the heap would order nothing.
    const timer = { id: this.nextId++, at: this.current + (Number.isFinite(ms) ? Math.max(0, ms) : 0), fn };
    this.pending.set(timer.id, timer);
    this.push(timer);
    return timer.id as unknown as TimerHandle;
  }

  clearTimeout(handle: TimerHandle): void {
    if (!this.pending.delete(handle as unknown as number)) return;
    // Cleared timers wait in the heap until they reach its top; past half of it they are swept out.
    if (this.heap.length > 64 && this.pending.size < this.heap.length / 2) this.rebuild();
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (let due = this.peek(); due && due.at <= target; due = this.peek()) {
      this.pop();
      this.pending.delete(due.id);
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = target;
  }

  /**
   * Moves the wall clock by `ms` (negative: backwards) without firing anything on the way, as a
   * machine that slept or a clock that was set does. Pending timers keep the time they had left,
   * as Node's timers do, so they fire that much later (or earlier) on the wall clock.
   */
  jump(ms: number): void {
    this.current += ms;
    // Every timer moves by the same amount: the heap's order holds.
    for (const timer of this.heap) timer.at += ms;
  }

  /** When the earliest pending timer is due, or null when none is. */
  nextTimerAt(): number | null {
    return this.peek()?.at ?? null;
  }

  pendingTimers(): number {
    return this.pending.size;
  }

  /** The earliest pending timer, dropping cleared ones off the top; null when none is pending. */
  private peek(): ManualTimer | null {
    while (this.heap.length && !this.pending.has(this.heap[0].id)) this.pop();
    return this.heap[0] ?? null;
  }

  private push(timer: ManualTimer): void {
    const heap = this.heap;
    let i = heap.push(timer) - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(timer, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = timer;
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop()!;
    if (!heap.length) return;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      if (left >= heap.length) break;
      const child = left + 1 < heap.length && before(heap[left + 1], heap[left]) ? left + 1 : left;
      if (!before(heap[child], last)) break;
      heap[i] = heap[child];
      i = child;
    }
    heap[i] = last;
  }

  /** Rebuilds the heap from the pending timers alone. */
  private rebuild(): void {
    this.heap.length = 0;
    for (const timer of this.pending.values()) this.push(timer);
  }
}
