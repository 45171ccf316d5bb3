import type { EmbedderConfig, MemoryHit } from '../contract/index.js';
import { loadVectorExtension, type WritableDB } from '../db/index.js';
import { createOfflineEmbedder } from './embedder.js';
import { LexicalIndex } from './lexical.js';
import { loadLexiconSync } from './lexicon/index.js';
import { hybridSearch, type SearchOptions } from './search.js';
import { readSearchCache, searchCacheKey, writeSearchCache } from './search-cache.js';
import { MemoryQueries } from './store.js';
import { VectorIndex } from './vector-index.js';
import { prepareWordNet } from './wordnet.js';

/**
 * One search for a short-lived process (`agent-blob memory search`) on a database no running core
 * holds, without starting a core: the answer `memory.search` gives for the same query in a core
 * started on that folder (`MemoryService.search`, waiting for WordNet as a command does), from the
 * same indexes and the same ranking. It only reads: `db` may be opened read-only.
 *
 * Null when such a core would first have work to do that changes the answer, and the caller must
 * start one: a re-embedding to start or resume (vectors of another embedder or another version), or
 * an embedder that is not the offline one (Ollama or an OpenAI-compatible server answer queries).
 *
 * With `cache` (the data folder's cache folder and the build of the running program), the full-text
 * index and the memories' vectors are read from the cache file when it is current and written there
 * when it is not (search-cache.ts); the answer is the same either way. `db` may be opened without
 * sqlite-vec (`vectors: false`): it is loaded when the vectors must be read from vec0. `mayWrite`, asked right before the file
 * takes its name, keeps it from being written once a core holds the folder.
 */
export async function searchWithoutCore(db: WritableDB, query: string, options: Omit<SearchOptions, 'profile'>, now: number, cache?: { dir: string; build: string; mayWrite?: () => boolean }): Promise<MemoryHit[] | null> {
  const meta = db.prepare('SELECT value FROM memory_meta WHERE key = ?');
  const setting = (key: string): unknown => {
    const row = meta.get(key) as { value: string } | undefined;
    return row ? JSON.parse(row.value) : undefined;
  };
  if (setting('embedderTarget')) return null;
  const config = (setting('embedder') as EmbedderConfig | undefined) ?? { kind: 'offline' };
  if (config.kind !== 'offline') return null;
  const embedder = createOfflineEmbedder();
  const vectors = new VectorIndex(db);
  const active = vectors.activeGeneration();
  // A core would start re-embedding into this embedder's vectors, searching by full text meanwhile.
  if (active && active.embedder !== embedder.name) return null;
  // One search and nothing else to do meanwhile: the index file is read at once, else built.
  if (!loadLexiconSync()) await prepareWordNet();
  const vector = active ? embedder.embedSync!([query], 'query')[0] : null;
  const queries = new MemoryQueries(db);
  // The full-text index and the memories' vectors from the data folder's cache when they were built
  // from these very memories by this build; else built here (WordNet lookups for every word of the
  // store, the vectors read from vec0) and cached for the next.
  const key = cache ? searchCacheKey(db, cache.build) : null;
  const cached = cache && key ? readSearchCache(cache.dir, key) : null;
  let lexical = cached?.lexical ?? null;
  // Without a cached copy of the vectors, vec0 reads them: sqlite-vec is loaded only then.
  if (!(cached?.vectors && vectors.useExactCopy(cached.vectors)) && active) loadVectorExtension(db);
  if (!lexical) {
    lexical = new LexicalIndex();
    for (const row of queries.all()) lexical.put(row.rowid, row.text, row.area);
  }
  const hits = hybridSearch({ queries, vectors, lexical, now }, query, vector, options);
  if (!cached && cache && key) writeSearchCache(cache.dir, key, lexical, vectors.exactCopy(), cache.mayWrite);
  return hits;
}
