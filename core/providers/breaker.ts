import type { Clock } from '../util/index.js';

export interface BreakerOptions {
  /** Failed attempts in a row that open the breaker. */
  threshold: number;
  cooldownMs: number;
}

/**
 * One circuit breaker per model reference. A model that fails `threshold` times in a row is skipped
 * until its cooldown passes on the injected clock; the next attempt after that is a trial, and one
 * more failure opens it again at once.
 */
export class CircuitBreaker {
  private readonly state = new Map<string, { failures: number; until: number | null }>();

  constructor(
    private readonly clock: Clock,
    private readonly options: BreakerOptions = { threshold: 3, cooldownMs: 60_000 },
  ) {}

  /** Null when the model may be tried; else when its cooldown ends. */
  blockedUntil(model: string): number | null {
    const s = this.state.get(model);
    if (!s?.until) return null;
    return s.until > this.clock.now() ? s.until : null;
  }

  /** Records a failed attempt; returns the cooldown end when this failure opened the breaker. */
  failure(model: string): number | null {
    const s = this.state.get(model) ?? { failures: 0, until: null };
    s.failures++;
    const trial = s.until !== null && s.until <= this.clock.now();
    let opened: number | null = null;
    if (s.failures >= this.options.threshold || trial) {
      s.until = this.clock.now() + this.options.cooldownMs;
      opened = s.until;
    }
    this.state.set(model, s);
    return opened;
  }

  success(model: string): void {
    this.state.delete(model);
  }

  /** Ends a cooldown now ("Try now"): the next call tries the model again. Every model when none is named. */
  reset(model?: string): void {
    if (model === undefined) this.state.clear();
    else this.state.delete(model);
  }

  failures(model: string): number {
    return this.state.get(model)?.failures ?? 0;
  }

  snapshot(): { model: string; state: 'ok' | 'cooldown'; failures: number; until: number | null }[] {
    return [...this.state.entries()].map(([model, s]) => {
      const until = this.blockedUntil(model);
      return { model, state: until ? 'cooldown' : 'ok', failures: s.failures, until };
    });
  }
}
