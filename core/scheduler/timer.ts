import type { Clock, TimerHandle } from '../util/index.js';

/** Why the scheduler looked at its schedules. */
export type WakeReason = 'start' | 'timer' | 'clock_jump' | 'resume' | 'change';

export interface WakeTimerOptions {
  /** The timer never sleeps longer than this, so a sleeping machine or a changed clock is noticed soon after. */
  maxSleepMs: number;
  /** A timer this much later than asked (or a clock this much earlier than last seen) means a sleep or a clock jump. */
  jumpToleranceMs: number;
}

/**
 * The one timer of the scheduler, armed on the earliest time any schedule is due. It wakes at least
 * every `maxSleepMs`, and tells a normal wake from one after the machine slept or the clock jumped
 * (the timer fired far later than asked, or the clock went backwards), so the scheduler re-reads
 * every schedule instead of trusting its last plan.
 */
export class WakeTimer {
  private handle: TimerHandle | null = null;
  private expectedAt = 0;
  private lastSeen: number;

  constructor(
    private readonly clock: Clock,
    private readonly onWake: (reason: WakeReason, driftMs: number) => void,
    private readonly options: WakeTimerOptions,
  ) {
    this.lastSeen = clock.now();
  }

  /** Arms the timer for `at` (or only the heartbeat when nothing is due); replaces the previous arming. */
  arm(at: number | null): void {
    this.disarm();
    const now = this.clock.now();
    this.lastSeen = now;
    const wakeAt = Math.min(at ?? Number.POSITIVE_INFINITY, now + this.options.maxSleepMs);
    const delay = Math.max(0, wakeAt - now);
    this.expectedAt = now + delay;
    this.handle = this.clock.setTimeout(() => this.fire(), delay);
  }

  disarm(): void {
    if (this.handle !== null) this.clock.clearTimeout(this.handle);
    this.handle = null;
  }

  get armed(): boolean {
    return this.handle !== null;
  }

  /** When the timer will fire next (ms on the clock), or null when disarmed. */
  get nextWakeAt(): number | null {
    return this.handle === null ? null : this.expectedAt;
  }

  private fire(): void {
    this.handle = null;
    const now = this.clock.now();
    const late = now - this.expectedAt;
    const backwards = this.lastSeen - now;
    const jumped = late > this.options.jumpToleranceMs || backwards > this.options.jumpToleranceMs;
    this.onWake(jumped ? 'clock_jump' : 'timer', late > 0 ? late : -backwards);
  }
}
