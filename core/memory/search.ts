import type { MemoryArea, MemoryExplain, MemoryHit } from '../contract/index.js';
import { relate } from './dedup.js';
import { wordNet } from './wordnet.js';
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
  /** Weight of the WordNet-expanded full-text list in the fusion (0 turns it off). */
  expansionWeight: number;
  /** How many top hits are checked for older facts a newer one replaces. */
  updateWindow: number;
}

export const DEFAULT_PROFILE: WeightProfile = {
  rrfK: 20,
  candidates: 60,
  halfLifeMs: 180 * 86_400_000,
  recencyWeight: 0.05,
  pinBoost: 0.25,
  supersededPenalty: 0.4,
  updateWindow: 20,
  expansionWeight: 0.5,
};

export interface SearchOptions {
  limit: number;
  area?: MemoryArea;
  pinned?: boolean;
  profile?: WeightProfile;
}

/** The topic words of a query (all its words when it has no topic words). */
export function queryWords(text: string): string[] {
  const ws = contentWords(text);
  return [...new Set(ws.length ? ws : words(text))];
}

/** The FTS5 query matching any of `terms`, each quoted. */
export function ftsMatch(terms: readonly string[]): string {
  return terms.map((w) => `"${w.replace(/"/g, '')}"`).join(' OR ');
}

/** The FTS5 query for a user's text: its topic words, any of them. */
export function ftsQuery(text: string): string {
  return ftsMatch(queryWords(text));
}

/** Below this many memories every query term is used; above it, terms most memories share are dropped. */
const TERM_FILTER_FROM = 2000;

/**
 * The query terms worth asking the full-text index for: only terms some memory contains, so words
 * that match nothing do not use up the cap before the ones that do. In a large store a term that
 * most memories contain ranks almost nothing (its IDF is near zero) yet makes BM25 score every one
 * of them, so
 * terms found in more than `maxShare` of all memories are dropped, keeping at least the `keep`
 * rarest; at most `cap` terms, rarest first.
 */
export function pickTerms(terms: readonly string[], counts: (stems: string[]) => Map<string, number>, total: number, options: { maxShare: number; keep: number; cap: number }): string[] {
  const df = counts(terms.map(stem));
  if (total < TERM_FILTER_FROM) return terms.filter((t) => df.get(stem(t))).slice(0, options.cap);
  const known = terms.map((t) => ({ t, n: df.get(stem(t)) ?? 0 })).filter((x) => x.n > 0).sort((a, b) => a.n - b.n);
  const rare = known.filter((x) => x.n <= options.maxShare * total);
  const chosen = rare.length >= options.keep ? rare : known.slice(0, options.keep);
  return chosen.slice(0, options.cap).map((x) => x.t);
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
  const total = deps.queries.size();
  const counts = (stems: string[]) => deps.queries.termCounts(stems);
  const lexical = deps.queries.fullText(ftsMatch(pickTerms(queryWords(query), counts, total, { maxShare: 0.05, keep: 2, cap: 16 })), k, options.area);
  const expanded = p.expansionWeight > 0 ? deps.queries.fullText(ftsMatch(pickTerms(expansionWords(query), counts, total, { maxShare: 0.02, keep: 0, cap: total < TERM_FILTER_FROM ? 60 : 16 })), k, options.area) : [];
  const vector = queryVector ? deps.vectors.knn(queryVector, k, options.area) : [];
  type Found = { bm25Rank: number | null; standInRank: number | null; expandedRank: number | null; vectorRank: number | null; vectorSimilarity: number | null };
  const blank = (): Found => ({ bm25Rank: null, standInRank: null, expandedRank: null, vectorRank: null, vectorSimilarity: null });
  const found = new Map<number, Found>();
  lexical.forEach((r, i) => found.set(r.rowid, { ...blank(), bm25Rank: i + 1 }));
  // When a query word appears in no memory at all, the user's vocabulary is not the memories'
  // ("colour" where they say "blue"): the full-text list then goes on with the memories that contain
  // only words the query may have meant, so the vector list is not left alone in the fusion.
  const ownWords = queryWords(query).filter((w) => !/\d/.test(w));
  const df = counts(ownWords.map(stem));
  const unknown = ownWords.filter((w) => !df.get(stem(w)));
  const backfill = unknown.length && p.expansionWeight > 0 ? deps.queries.fullText(ftsMatch(pickTerms(expansionWords(unknown.join(' ')), counts, total, { maxShare: 0.02, keep: 0, cap: total < TERM_FILTER_FROM ? 60 : 16 })), k, options.area) : [];
  expanded.forEach((r, i) => {
    const entry = found.get(r.rowid) ?? blank();
    entry.expandedRank = i + 1;
    found.set(r.rowid, entry);
  });
  let fullTextRank = lexical.length;
  for (const r of backfill) {
    const entry = found.get(r.rowid) ?? blank();
    if (entry.bm25Rank === null && entry.standInRank === null && fullTextRank < k) entry.standInRank = ++fullTextRank;
    found.set(r.rowid, entry);
  }
  vector.forEach((r, i) => {
    const entry = found.get(r.rowid) ?? blank();
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
    const rrf =
      (f.bm25Rank ? 1 / (p.rrfK + f.bm25Rank) : 0) +
      (f.standInRank ? 1 / (p.rrfK + f.standInRank) : 0) +
      (f.expandedRank ? p.expansionWeight / (p.rrfK + f.expandedRank) : 0) +
      (f.vectorRank ? 1 / (p.rrfK + f.vectorRank) : 0);
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
  const specific = (w: string) => (counts([stem(w)]).get(stem(w)) ?? 0) <= Math.max(2, SPECIFIC_SHARE * total);
  demoteReplacedFacts(hits.slice(0, p.updateWindow), stems, specific, (id) => {
    const gen = deps.vectors.activeGeneration();
    const row = rows.find((r) => r.id === id);
    return gen && row ? deps.vectors.vector(gen, row.rowid) : null;
  });
  hits.sort((a, b) => b.score - a.score || b.memory.createdAt - a.memory.createdAt);
  return hits.slice(0, options.limit);
}

/**
 * Newer facts outrank the older facts they replace, even when nobody linked them at write time
 * (imports, or wording too different for the write-time check): among the top hits, an older memory
 * of the same area that is close to a newer one saying it changed ("now", "moved", "switched") and
 * sharing with it two specific words or one the query asks about, or differing from it in one number, drops just below it.
 */
function demoteReplacedFacts(top: MemoryHit[], asked: Set<string>, specific: (word: string) => boolean, vectorOf: (id: string) => Float32Array | null): void {
  const vectors = new Map(top.map((h) => [h.memory.id, vectorOf(h.memory.id)]));
  for (const newer of top) {
    const cue = changeCue(newer.memory.text);
    for (const older of top) {
      if (older === newer || older.memory.area !== newer.memory.area || older.memory.createdAt >= newer.memory.createdAt) continue;
      if (older.score < newer.score) continue;
      const a = vectors.get(newer.memory.id);
      const b = vectors.get(older.memory.id);
      if (!a || !b) continue;
      const cosine = dot(a, b);
      const replaced = (cue && cosine >= REPLACEMENT_SIMILARITY && sharesTopic(newer.memory.text, older.memory.text, asked, specific)) || relate(newer.memory.text, older.memory.text, cosine) === 'conflict';
      if (!replaced) continue;
      const factor = (newer.score * 0.95) / older.score;
      older.score *= factor;
      older.explain.supersededPenalty *= factor;
    }
  }
}

const REPLACEMENT_SIMILARITY = 0.28;
/** A word found in at most this share of all memories names a topic; commoner ones are phrasing ("problem", "fix"). */
const SPECIFIC_SHARE = 0.05;
const CHANGE_CUES = /\b(now|moved|switched|changed|replaced|sold|since|no longer|anymore|instead|new|became|nowadays|currently)\b/i;

function changeCue(text: string): boolean {
  return CHANGE_CUES.test(text);
}

// Words most memories use say nothing about the topic, and one shared word can be a coincidence
// ("runs out of memory" and "run source") unless the user asked about it.
function sharesTopic(a: string, b: string, asked: Set<string>, specific: (word: string) => boolean): boolean {
  const stems = new Set(contentWords(a).map(stem));
  const shared = new Set(contentWords(b).filter((w) => stems.has(stem(w)) && specific(w)).map(stem));
  return shared.size >= 2 || [...shared].some((s) => asked.has(s));
}

/**
 * The FTS5 query for words the user may have meant: WordNet synonyms, broader, narrower and
 * derived terms of the query's topic words, and the topic words of their definitions ("sibling" →
 * brother, sister; "colour" → blue).
 */
export function expansionWords(text: string): string[] {
  const own = new Set(contentWords(text).map(stem));
  const terms = new Set<string>();
  for (const w of contentWords(text)) {
    if (/\d/.test(w)) continue;
    for (const r of wordNet().expand(w)) for (const x of contentWords(r)) terms.add(x);
  }
  const seen = new Set<string>();
  return [...terms].filter((t) => {
    const s = stem(t);
    if (own.has(s) || seen.has(s)) return false;
    seen.add(s);
    return true;
  });
}

export function expandedFtsQuery(text: string): string {
  return ftsMatch(expansionWords(text).slice(0, 60));
}

/** Plain-JS exact scan of vectors, the yardstick the vec0 index is benchmarked against. */
export function bruteForceTopK(vectors: Float32Array[], query: Float32Array, k: number): number[] {
  const scored = vectors.map((v, i) => [dot(v, query), i] as const);
  scored.sort((a, b) => b[0] - a[0]);
  return scored.slice(0, k).map((s) => s[1]);
}

export type { MemoryRow };
