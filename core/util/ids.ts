import { randomBytes } from 'node:crypto';

/** Makes ids. Injected so tests and replays get stable ones. */
export interface Ids {
  /** A new id with a short prefix naming its kind: `run_…`, `msg_…`. */
  next(prefix: string): string;
}

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** Time-ordered ids: 10 chars of milliseconds, then 10 random chars (Crockford base32, like ULID). */
export function createIds(now: () => number = Date.now): Ids {
  return {
    next(prefix) {
      let time = now();
      let head = '';
      for (let i = 0; i < 10; i++) {
        head = ALPHABET[time % 32] + head;
        time = Math.floor(time / 32);
      }
      const bytes = randomBytes(10);
      let tail = '';
      for (const b of bytes) tail += ALPHABET[b % 32];
      return `${prefix}_${head}${tail}`;
    },
  };
}

/** Sequential ids for tests and replays: `run_1`, `run_2`, ... per prefix. */
export function createSequentialIds(): Ids {
  const counters = new Map<string, number>();
  return {
    next(prefix) {
      const n = (counters.get(prefix) ?? 0) + 1;
      counters.set(prefix, n);
      return `${prefix}_${n}`;
    },
  };
}
