import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isProcessAlive } from '../datadir/index.js';
import type { WritableDB } from '../db/index.js';
import { LexicalIndex, type LexicalSnapshot } from './lexical.js';
import { lexiconName } from './lexicon/index.js';

/**
 * The full-text index of a data folder's memories, WordNet concepts of their words included, kept
 * in its `cache/` for `agent-blob memory search` answered without a core: building it costs a
 * process several hundred milliseconds of WordNet lookups for every word of the store, reading it a
 * few. The file names what it was built from — this format, the build of the program
 * (`build`: a program whose indexing may differ never reads another's file), the WordNet index and
 * a hash of every memory's rowid, area and text — and is used only when all four match; otherwise
 * the index is built as before and the file written anew. A core removes the file when it starts
 * and whenever it forgets or edits a memory, so no word of a forgotten memory stays in it; a writer
 * that is not a core checks, right before its file takes the name, that no core has started on the
 * folder meanwhile (`mayWrite`), and drops its file if one has. Temporary files a killed writer left
 * are swept by the next writer and by a starting core.
 */
export const SEARCH_CACHE_FILE = 'memory-search-index.json';
/** Bump when the file's layout changes. */
export const SEARCH_CACHE_FORMAT = 1;

/** What a cache file must have been built from to be used. */
export interface SearchCacheKey {
  format: number;
  build: string;
  lexicon: string;
  memories: string;
}

/** The key of the memories as they are in `db` now, for a program of build `build`. */
export function searchCacheKey(db: WritableDB, build: string): SearchCacheKey {
  const hash = createHash('sha256');
  for (const row of db.prepare('SELECT rowid, area, text FROM memories ORDER BY rowid').raw().iterate() as Iterable<[number, string, string]>) {
    hash.update(`${row[0]}\u0000${row[1]}\u0000${row[2]}\u0000`);
  }
  return { format: SEARCH_CACHE_FORMAT, build, lexicon: lexiconName(), memories: hash.digest('hex') };
}

/** The cached index if the file in `dir` was built from exactly `key`, else null (missing, stale, unreadable). */
export function readSearchCache(dir: string, key: SearchCacheKey): LexicalIndex | null {
  let text: string;
  try {
    text = readFileSync(join(dir, SEARCH_CACHE_FILE), 'utf8');
  } catch {
    return null;
  }
  // The key is the first line: a stale file is told apart without parsing the rest.
  const newline = text.indexOf('\n');
  if (newline < 0) return null;
  try {
    const found = JSON.parse(text.slice(0, newline)) as Partial<SearchCacheKey>;
    if (found.format !== key.format || found.build !== key.build || found.lexicon !== key.lexicon || found.memories !== key.memories) return null;
    return LexicalIndex.fromSnapshot(JSON.parse(text.slice(newline + 1)) as LexicalSnapshot);
  } catch {
    return null;
  }
}

/**
 * Writes the index to `dir` under `key` (a temporary file renamed into place, so a reader never
 * sees half of one; readable by its owner only). False when the folder cannot be written, or when
 * `mayWrite` (asked right before the rename) says a core now holds the folder, since that core may
 * have forgotten a memory this index still has: the next search builds the index again.
 */
export function writeSearchCache(dir: string, key: SearchCacheKey, index: LexicalIndex, mayWrite: () => boolean = () => true): boolean {
  const tmp = join(dir, `${SEARCH_CACHE_FILE}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    sweepTemporaryFiles(dir, (pid) => pid !== process.pid && !isProcessAlive(pid));
    writeFileSync(tmp, `${JSON.stringify(key)}\n${JSON.stringify(index.snapshot())}`, { mode: 0o600 });
    if (!mayWrite()) {
      removeQuietly(tmp);
      return false;
    }
    renameSync(tmp, join(dir, SEARCH_CACHE_FILE));
    return true;
  } catch {
    removeQuietly(tmp);
    return false;
  }
}

/**
 * Removes the cached index from `dir` (a core starts, or a memory was forgotten or edited), and any
 * temporary file of one: its words must not outlive the memory.
 */
export function removeSearchCache(dir: string): void {
  removeQuietly(join(dir, SEARCH_CACHE_FILE));
  sweepTemporaryFiles(dir, () => true);
}

/** Removes `dir`'s temporary cache files whose writer's process id `stale` accepts. */
function sweepTemporaryFiles(dir: string, stale: (pid: number) => boolean): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const match = /^memory-search-index\.json\.(\d+)\.[a-z0-9]*\.tmp$/.exec(name);
    if (match && stale(Number(match[1]))) removeQuietly(join(dir, name));
  }
}

function removeQuietly(file: string): void {
  try {
    rmSync(file, { force: true });
  } catch {
    // a folder that cannot be written (or is not one) has no file of ours to remove
  }
}
