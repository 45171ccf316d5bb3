import type { Statement } from 'better-sqlite3';
import type { WritableDB } from '../db/index.js';
import { contentWords, fnv1a, stem, words } from './text.js';

const BANDS = 6;
const ROWS = 3;
const SEEDS = Array.from({ length: BANDS * ROWS }, (_, i) => fnv1a(`seed-${i}`));

/**
 * MinHash band keys of a text's stemmed topic words (6 bands of 3). Two texts whose word sets
 * have a Jaccard similarity of 0.8 share a key with probability 0.99 (0.7: 0.92, 0.5: 0.55), so
 * near-duplicate and contradiction checks look at a handful of candidates instead of scanning every
 * memory, and bulk import stays fast at 100k.
 */
export function bandKeys(text: string): number[] {
  let tokens = contentWords(text);
  if (tokens.length === 0) tokens = words(text);
  const set = [...new Set(tokens.map(stem))];
  if (!set.length) return [];
  const keys: number[] = [];
  for (let b = 0; b < BANDS; b++) {
    let key = `${b}`;
    for (let r = 0; r < ROWS; r++) {
      const seed = SEEDS[b * ROWS + r];
      let min = 0xffffffff;
      for (const t of set) {
        const h = fnv1a(t, seed);
        if (h < min) min = h;
      }
      key += `:${min}`;
    }
    keys.push(fnv1a(key));
  }
  return keys;
}

export class LshIndex {
  private readonly insert: Statement;
  private readonly remove: Statement;
  private readonly lookup: Statement;

  constructor(db: WritableDB) {
    this.insert = db.prepare('INSERT INTO memory_lsh (key, mem) VALUES (?, ?)');
    this.remove = db.prepare('DELETE FROM memory_lsh WHERE mem = ?');
    this.lookup = db.prepare('SELECT mem FROM memory_lsh WHERE key = ? ORDER BY rowid DESC LIMIT 12');
  }

  put(rowid: number, keys: number[]): void {
    this.remove.run(rowid);
    for (const k of new Set(keys)) this.insert.run(k, rowid);
  }

  delete(rowid: number): void {
    this.remove.run(rowid);
  }

  /** Rowids sharing bands with `keys`, most shared bands first, at most `limit`. */
  candidates(keys: number[], limit = 16): number[] {
    const shared = new Map<number, number>();
    for (const k of new Set(keys)) for (const r of this.lookup.all(k) as { mem: number }[]) shared.set(r.mem, (shared.get(r.mem) ?? 0) + 1);
    return [...shared].sort((a, b) => b[1] - a[1] || b[0] - a[0]).slice(0, limit).map(([mem]) => mem);
  }
}
