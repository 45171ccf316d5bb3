import type { MemoryArea, MemoryExplain, MemoryHit } from '../contract/index.js';
import { dot } from './embedder.js';
import { rowToMemory, type MemoryQueries, type MemoryRow } from './store.js';
import { contentWords, highlightRanges, stem, words } from './text.js';
import type { VectorIndex } from './vector-index.js';

/** How fused ranks turn into a score. Exposed so evals can compare profiles. */
export interface WeightProfile {
  /** Reciprocal rank fusion constant: 1 / (k + rank). */
  rrfK: number;
  /** Candidates taken from each retriever. */
  candidates: number;
  /** Age at which the recency boost halves. */
  halfLifeMs: number;
  /** Boost for a memory created now (multiplier 1 + recencyWeight, decaying with age). */
  recencyWeight: number;
  pinBoost: number;
  /** Multiplier for a memory a newer one supersedes. */
  supersededPenalty: number;
}

export const DEFAULT_PROFILE: WeightProfile = {
  rrfK: 60,
  candidates: 60,
  halfLifeMs: 180 * 86_400_000,
  recencyWeight: 0.1,
  pinBoost: 0.25,
  supersededPenalty: 0.4,
};

export interface SearchOptions {
  limit: number;
  area?: MemoryArea;
  pinned?: boolean;
  profile?: WeightProfile;
}

/** The FTS5 query for a user's text: its topic words (or all words), quoted, any of them. */
export function ftsQuery(text: string): string {
  let ws = contentWords(text);
  if (!ws.length) ws = words(text);
  return [...new Set(ws)].map((w) => `"${w.replace(/"/g, '')}"`).join(' OR ');
}

/**
 * Hybrid search: BM25 and vector candidates fused by reciprocal rank, then scaled by recency, pin
 * and supersede; each hit carries the numbers that placed it.
 */
export function hybridSearch(
  deps: { queries: MemoryQueries; vectors: VectorIndex; now: number },
  query: string,
  queryVector: Float32Array | null,
  options: SearchOptions,
): MemoryHit[] {
  const p = options.profile ?? DEFAULT_PROFILE;
  // Over-fetch when a filter applies after retrieval.
  const k = options.pinned !== undefined ? p.candidates * 4 : p.candidates;
  const lexical = deps.queries.fullText(ftsQuery(query), k, options.area);
  const vector = queryVector ? deps.vectors.knn(queryVector, k, options.area) : [];
  const found = new Map<number, { bm25Rank: number | null; vectorRank: number | null; vectorSimilarity: number | null }>();
  lexical.forEach((r, i) => found.set(r.rowid, { bm25Rank: i + 1, vectorRank: null, vectorSimilarity: null }));
  vector.forEach((r, i) => {
    const entry = found.get(r.rowid) ?? { bm25Rank: null, vectorRank: null, vectorSimilarity: null };
    entry.vectorRank = i + 1;
    entry.vectorSimilarity = 1 - r.distance;
    found.set(r.rowid, entry);
  });
  const rows = deps.queries.getMany([...found.keys()]);
  const stems = new Set((contentWords(query).length ? contentWords(query) : words(query)).map(stem));
  const hits: MemoryHit[] = [];
  for (const row of rows) {
    if (options.pinned !== undefined && (row.pinned === 1) !== options.pinned) continue;
    const f = found.get(row.rowid)!;
    const rrf = (f.bm25Rank ? 1 / (p.rrfK + f.bm25Rank) : 0) + (f.vectorRank ? 1 / (p.rrfK + f.vectorRank) : 0);
    const explain: MemoryExplain = {
      ...f,
      rrf,
      recencyBoost: 1 + p.recencyWeight * Math.pow(0.5, Math.max(0, deps.now - row.created_at) / p.halfLifeMs),
      pinBoost: row.pinned === 1 ? 1 + p.pinBoost : 1,
      supersededPenalty: row.superseded_by ? p.supersededPenalty : 1,
    };
    const score = rrf * explain.recencyBoost * explain.pinBoost * explain.supersededPenalty;
    hits.push({ memory: rowToMemory(row), score, explain, highlights: highlightRanges(row.text, stems) });
  }
  hits.sort((a, b) => b.score - a.score || b.memory.createdAt - a.memory.createdAt);
  return hits.slice(0, options.limit);
}

/** Plain-JS exact scan of vectors, the yardstick the vec0 index is benchmarked against. */
export function bruteForceTopK(vectors: Float32Array[], query: Float32Array, k: number): number[] {
  const scored = vectors.map((v, i) => [dot(v, query), i] as const);
  scored.sort((a, b) => b[0] - a[0]);
  return scored.slice(0, k).map((s) => s[1]);
}

export type { MemoryRow };
