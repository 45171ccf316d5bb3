import type { Statement } from 'better-sqlite3';
import type { WritableDB } from '../db/index.js';
import { contentWords, fnv1a, stem, words } from './text.js';

const BANDS = 8;
const ROWS = 2;
const SEEDS = Array.from({ length: BANDS * ROWS }, (_, i) => fnv1a(`seed-${i}`));

/**
 * MinHash band keys of a text's stemmed topic words. Two texts share a key with high probability
 * when their word sets overlap by half or more, so near-duplicate and contradiction checks look at
 * a handful of candidates instead of scanning every memory (bulk import stays fast at 100k).
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
    this.lookup = db.prepare('SELECT mem FROM memory_lsh WHERE key = ? LIMIT 40');
  }

  put(rowid: number, keys: number[]): void {
    this.remove.run(rowid);
    for (const k of new Set(keys)) this.insert.run(k, rowid);
  }

  delete(rowid: number): void {
    this.remove.run(rowid);
  }

  /** Rowids sharing at least one band with `keys`. */
  candidates(keys: number[]): number[] {
    const out = new Set<number>();
    for (const k of new Set(keys)) for (const r of this.lookup.all(k) as { mem: number }[]) out.add(r.mem);
    return [...out];
  }
}
