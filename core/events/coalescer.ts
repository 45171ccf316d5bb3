import type { Clock, TimerHandle } from '../util/index.js';

/**
 * Gathers streamed text for a short window before it is written, so a model streaming hundreds of
 * tokens a second costs the log and the clients a few dozen events a second.
 */
export class DeltaCoalescer {
  private buffer = '';
  private timer: TimerHandle | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly flushText: (text: string) => void,
    private readonly windowMs = 32,
  ) {}

  push(text: string): void {
    if (!text) return;
    this.buffer += text;
    if (this.timer === null) this.timer = this.clock.setTimeout(() => this.flush(), this.windowMs);
  }

  /** Writes what is buffered now. */
  flush(): void {
    if (this.timer !== null) {
      this.clock.clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.buffer) return;
    const text = this.buffer;
    this.buffer = '';
    this.flushText(text);
  }

  /** Drops what is buffered (a cancelled run emits nothing more). */
  discard(): void {
    if (this.timer !== null) this.clock.clearTimeout(this.timer);
    this.timer = null;
    this.buffer = '';
  }
}
