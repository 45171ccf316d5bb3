import type { MemoryArea, MemoryMatch } from '../contract/index.js';
import { Abbreviations, CAPITALS, wordRun, type Expansion } from './abbreviations.js';
import { rowDots } from './dots.js';
import { POS_CODES, REL, lexiconIfLoaded, type Lexicon } from './lexicon/index.js';
import { StatedPeople } from './people.js';
import { commonSpelling } from './spelling.js';
import { STOPWORDS, contentWords, stem, words } from './text.js';
import { wordVectors, type WordVectorFile } from './vectors/index.js';

/** How much a memory word counts for a query word, by how WordNet relates them. */
export const RELATION_WEIGHT = {
  word: 1,
  synonym: 0.9,
  narrower: 0.75,
  related: 0.65,
  broader: 0.5,
  definition: 0.35,
  feedback: 0.3,
  /** An abbreviation and what the store links it to ("NUM", nurse unit manager): the same word written otherwise. */
  abbreviation: 1,
  /** Times the cosine of the two words' vectors: below what makes a match count towards confidence. */
  similar: 0.38,
  /** A name the memories give the person a relation word asks about ("my son" → Archie; see people.ts). */
  person: 0.9,
} as const;
/** Word-vector cosine from which a store word is a neighbour of a query word. */
const NEIGHBOUR_COSINE = 0.6;

export const K1 = 1.2;
/**
 * BM25's length normalisation, lower than the usual 0.75: a longer memory is mostly one that notes
 * several facts ("Our place is a 1925 bungalow … Bought it in 2017 for $612k."), not a wordier one
 * about the same thing, so its length says less against it.
 */
export const B = 0.4;
/** Levels of broader terms a memory word is indexed under ("penicillin" → antibiotic → … → drug). */
const NARROWER_DEPTH = 4;
/** A sense used less than this share of the word's most used sense is not expanded. */
const MIN_SENSE_SHARE = 0.25;
/** Rarest words of a new memory looked up for duplicate candidates. */
const SIMILAR_WORDS = 6;
/** Words in more memories than this (or this share of them) name no record: they find no duplicates. */
const SIMILAR_MAX_DF = 20;
const SIMILAR_MAX_SHARE = 0.01;
/** Candidates rescored beyond the k asked for, so summing in another order cannot drop a tie at the edge. */
const SHORTLIST_MARGIN = 8;
/** Words that start a noun phrase: never the first half of a word the query writes apart. */
const DETERMINERS = new Set('a an the some any no every each either neither my your our their his her its this that these those'.split(' '));
/** Keys of phrase postings start with this character, which no word has. */
const PHRASE = '\u0001';
const PHRASE_CODE = 1;
/** Abbreviations a query looks up in the store, its first ones (see `abbreviated`). */
const ABBREVIATIONS_PER_QUERY = 8;
/** Compounds of a query word looked at ("dental" has a dozen). */
const COMPOUNDS = 24;

/** A query word with its weight and the store's stems it matches. */
export type QueryGroup = { query: string; weight: number; terms: Map<string, { weight: number; relation: MemoryMatch['relation']; word: string; via?: string; asked?: string }> };
type Doc = { rowid: number; slot: number; area: MemoryArea; len: number; tf: Map<string, number> };
/** Per stem: its memories with the word's count in each, and the bounds its BM25 value cannot exceed. */
type Posting = { docs: Map<Doc, number>; maxTf: number; minLen: number; list: PostingList | null };
function emptyPosting(): Posting {
  return { docs: new Map(), maxTf: 0, minLen: Infinity, list: null };
}
/** Adds a memory using the stem `n` times to its posting. Bounds only ever loosen on removal, so they stay true. */
function addToPosting(p: Posting, doc: Doc, n: number): void {
  p.docs.set(doc, n);
  p.list = null;
  p.maxTf = Math.max(p.maxTf, n);
  p.minLen = Math.min(p.minLen, doc.len);
}
/** A posting as flat arrays for scoring, rebuilt after the posting changes. */
type PostingList = { slots: Int32Array; tf: Float64Array; len: Float64Array };
export type LexicalHit = { rowid: number; score: number; matches: MemoryMatch[] };
/**
 * A LexicalIndex as flat data, read back without parsing: every stem, word and area it names once in
 * `strings`, everything else as indexes into them, in the index's own order. `docs` holds the
 * memories in slot order as area, length, n, then n × (stem, count), with their rowids in `rowids`;
 * `surface` the surface words seen per stem (stem, n, n × word); `bySynset` the WordNet concepts of
 * the store's words (synset, n, n × (stem, depth)); `byGlossWord` the memory words each definition
 * word names (word, n, n × stem); `storeVectors` the word vectors of the store's words, as the
 * nearest-word search reads them (stems in the surface map's order, vectors end to end), or null
 * without a word-vector file.
 */
export type LexicalSnapshot = {
  strings: string[];
  rowids: Float64Array;
  docs: Int32Array;
  surface: Int32Array;
  bySynset: Int32Array;
  byGlossWord: Int32Array;
  storeVectors: { seen: number; dims: number; stems: Int32Array; matrix: Float32Array } | null;
  /** Each memory's words in order and the abbreviations it defines, in slot order (see `Abbreviations`). */
  abbreviations: Int32Array;
  /** Who the memories say people are, by their place in `rowids` (see `StatedPeople`). */
  people: Int32Array;
};

/**
 * An in-memory BM25 index of the memories' stemmed words, with query words matched through
 * WordNet to the words memories actually use: the same word, synonyms, narrower terms ("drug"
 * finds "penicillin"), broader terms, derived words ("dental" → dentist) and definitions ("vet" is
 * "a doctor who practices veterinary medicine"). Each query word counts once per memory, by its
 * best match, weighted by relation and sense frequency, and never above the query word itself.
 * Built from the memories table at first use and kept current by every write.
 */
export class LexicalIndex {
  private readonly docs = new Map<number, Doc>();
  private readonly postings = new Map<string, Posting>();
  /** Each memory's place in the score arrays of a search; freed places are reused. */
  private readonly slots: (Doc | null)[] = [];
  private readonly freeSlots: number[] = [];
  private scratch = { score: new Float64Array(0), best: new Float64Array(0), alive: new Uint8Array(0) };
  /** Surface words seen per stem, for WordNet lookups of the store's vocabulary. */
  private readonly surface = new Map<string, Set<string>>();
  private totalLen = 0;
  /** Word vectors of the store's words, read as queries need them. */
  private storeVectors: { seen: number; stems: string[]; matrix: Float32Array; dims: number } | null = null;
  private concepts: { bySynset: Map<number, Map<string, number>>; byGlossWord: Map<string, Set<string>> } | null = null;
  /** A snapshot's store words and concepts, not turned into `surface` and `concepts` yet (fromSnapshot). */
  private unread: Unread | null = null;
  /** The memories' words in order, for abbreviations and what they stand for. */
  private readonly abbreviations = new Abbreviations();
  /** Per phrase an abbreviation stands for, the memories using it, as a posting (key PHRASE + phrase); dropped on every change. */
  private readonly phrasePostings = new Map<string, Posting>();
  /** Who each memory says people are ("My son Archie"), for questions that ask about someone by relation. */
  readonly people = new StatedPeople();

  get size(): number {
    return this.docs.size;
  }

  has(rowid: number): boolean {
    return this.docs.has(rowid);
  }

  put(rowid: number, text: string, area: MemoryArea): void {
    this.readAll();
    this.remove(rowid);
    const tf = new Map<string, number>();
    const words = tokens(text);
    for (const w of words) {
      const s = stem(w);
      tf.set(s, (tf.get(s) ?? 0) + 1);
      let forms = this.surface.get(s);
      if (!forms) this.surface.set(s, (forms = new Set()));
      if (!forms.has(w)) {
        forms.add(w);
        if (this.concepts) this.indexConcepts(w, s);
      }
    }
    this.addDoc(rowid, area, words.length, tf);
    this.abbreviations.put(rowid, text, lexiconIfLoaded());
    this.phrasePostings.clear();
    this.people.put(rowid, text, lexiconIfLoaded());
  }

  private addDoc(rowid: number, area: MemoryArea, len: number, tf: Map<string, number>): void {
    const slot = this.freeSlots.pop() ?? this.slots.length;
    const doc: Doc = { rowid, slot, area, len, tf };
    this.slots[slot] = doc;
    for (const [s, n] of tf) {
      let p = this.postings.get(s);
      if (!p) this.postings.set(s, (p = emptyPosting()));
      addToPosting(p, doc, n);
    }
    this.docs.set(rowid, doc);
    this.totalLen += len;
  }

  /**
   * Everything the index holds, WordNet concepts of its words and the word vectors of the store's
   * words included, as flat data in the index's own order: `fromSnapshot` makes an index that
   * answers exactly as this one, without WordNet lookups or word-vector reads for the store's words
   * (a short-lived process keeps it in its data folder's cache). Needs the lexicon loaded.
   */
  snapshot(): LexicalSnapshot {
    const lx = lexiconIfLoaded();
    if (!lx) throw new Error('LexicalIndex.snapshot() needs WordNet loaded');
    this.readAll();
    const concepts = this.conceptIndex(lx);
    const strings: string[] = [];
    const ids = new Map<string, number>();
    const id = (text: string) => {
      let n = ids.get(text);
      if (n === undefined) {
        ids.set(text, (n = strings.length));
        strings.push(text);
      }
      return n;
    };
    const docs = [...this.docs.values()].sort((a, b) => a.slot - b.slot);
    const flatDocs: number[] = [];
    for (const d of docs) {
      flatDocs.push(id(d.area), d.len, d.tf.size);
      for (const [s, n] of d.tf) flatDocs.push(id(s), n);
    }
    const surface: number[] = [];
    for (const [s, forms] of this.surface) {
      surface.push(id(s), forms.size);
      for (const f of forms) surface.push(id(f));
    }
    const bySynset: number[] = [];
    for (const [synset, stems] of concepts.bySynset) {
      bySynset.push(synset, stems.size);
      for (const [s, depth] of stems) bySynset.push(id(s), depth);
    }
    const byGlossWord: number[] = [];
    for (const [g, stems] of concepts.byGlossWord) {
      byGlossWord.push(id(g), stems.size);
      for (const s of stems) byGlossWord.push(id(s));
    }
    const nn = this.storeVectorMatrix(lx);
    const rowids = docs.map((d) => d.rowid);
    const abbreviations = this.abbreviations.flatten(rowids, id);
    const people = this.people.flatten(rowids, id);
    return {
      strings,
      rowids: Float64Array.from(rowids),
      docs: Int32Array.from(flatDocs),
      surface: Int32Array.from(surface),
      bySynset: Int32Array.from(bySynset),
      byGlossWord: Int32Array.from(byGlossWord),
      storeVectors: nn && { seen: nn.seen, dims: nn.dims, stems: Int32Array.from(nn.stems, id), matrix: nn.matrix.slice(0, nn.stems.length * nn.dims) },
      abbreviations,
      people,
    };
  }

  /**
   * The index a snapshot was taken of (memories in the same places, words, concepts and word vectors
   * in the same order). The memories are indexed at once; the store's words and concepts are looked
   * up in the snapshot's arrays as searches ask for them, and turned into maps only when the index
   * changes or is snapshotted again. Throws on a snapshot whose numbers point outside it, so a
   * search never meets one.
   */
  static fromSnapshot(snapshot: LexicalSnapshot): LexicalIndex {
    const { strings, docs } = snapshot;
    const index = new LexicalIndex();
    let slot = 0;
    runs(docs, 3, 2, (area, count, at) => {
      const tf = new Map<string, number>();
      for (let k = at; k < at + count * 2; k += 2) tf.set(stringAt(strings, docs[k]), docs[k + 1]);
      const rowid = snapshot.rowids[slot++];
      if (!Number.isSafeInteger(rowid) || index.docs.has(rowid)) throw new Error('damaged index snapshot');
      index.addDoc(rowid, stringAt(strings, area) as MemoryArea, docs[at - 2], tf);
    });
    // Each memory once, and no rowid left over.
    if (slot !== snapshot.rowids.length) throw new Error('damaged index snapshot');
    // The store's words, concepts and words in order are read as searches ask for them, but checked
    // whole here: a damaged snapshot is refused where it is read, never at a search.
    const named = (n: number) => {
      if (!(n >= 0 && n < strings.length)) throw new Error('damaged index snapshot');
    };
    const { surface, bySynset, byGlossWord } = snapshot;
    let surfaceCount = 0;
    runs(surface, 2, 1, (s, count, at) => {
      named(s);
      for (let k = at; k < at + count; k++) named(surface[k]);
      surfaceCount++;
    });
    runs(bySynset, 2, 2, (_synset, count, at) => {
      for (let k = at; k < at + count * 2; k += 2) named(bySynset[k]);
    });
    runs(byGlossWord, 2, 1, (g, count, at) => {
      named(g);
      for (let k = at; k < at + count; k++) named(byGlossWord[k]);
    });
    index.unread = { strings, surface, bySynset, byGlossWord, surfaceCount, surfaceAt: null, synsetAt: null, glossAt: null };
    index.abbreviations.unflatten(snapshot.abbreviations, snapshot.rowids, (n) => stringAt(strings, n), strings.length);
    index.people.unflatten(snapshot.people, snapshot.rowids, (n) => stringAt(strings, n));
    const nn = snapshot.storeVectors;
    if (nn) {
      if (nn.matrix.length !== nn.stems.length * nn.dims) throw new Error('damaged index snapshot');
      index.storeVectors = { seen: nn.seen, dims: nn.dims, stems: Array.from(nn.stems, (n) => stringAt(strings, n)), matrix: nn.matrix };
    }
    return index;
  }

  /** Turns what `fromSnapshot` left in its arrays into the maps a changing index keeps. */
  private readAll(): void {
    const u = this.unread;
    if (!u) return;
    this.unread = null;
    const str = (n: number) => stringAt(u.strings, n);
    runs(u.surface, 2, 1, (s, count, at) => {
      const forms = new Set<string>();
      for (let k = 0; k < count; k++) forms.add(str(u.surface[at + k]));
      this.surface.set(str(s), forms);
    });
    const bySynset = new Map<number, Map<string, number>>();
    runs(u.bySynset, 2, 2, (synset, count, at) => {
      const stems = new Map<string, number>();
      for (let k = at; k < at + count * 2; k += 2) stems.set(str(u.bySynset[k]), u.bySynset[k + 1]);
      bySynset.set(synset, stems);
    });
    const byGlossWord = new Map<string, Set<string>>();
    runs(u.byGlossWord, 2, 1, (g, count, at) => {
      const stems = new Set<string>();
      for (let k = at; k < at + count; k++) stems.add(str(u.byGlossWord[k]));
      byGlossWord.set(str(g), stems);
    });
    this.concepts = { bySynset, byGlossWord };
  }

  remove(rowid: number): void {
    const doc = this.docs.get(rowid);
    if (!doc) return;
    for (const s of doc.tf.keys()) {
      const p = this.postings.get(s);
      if (!p) continue;
      p.docs.delete(doc);
      p.list = null;
    }
    this.totalLen -= doc.len;
    this.docs.delete(rowid);
    this.slots[doc.slot] = null;
    this.freeSlots.push(doc.slot);
    this.abbreviations.remove(rowid);
    this.phrasePostings.clear();
    this.people.remove(rowid);
  }

  /** How many memories contain the stem. */
  df(s: string): number {
    return this.posting(s)?.docs.size ?? 0;
  }

  /** A stem's posting, or a phrase's (PHRASE + phrase) that a query's abbreviation stands for. */
  private posting(s: string): Posting | undefined {
    return s.charCodeAt(0) === PHRASE_CODE ? this.phrasePostings.get(s) : this.postings.get(s);
  }

  /** How often a memory uses a stem, or a phrase (PHRASE + phrase). */
  private tfOf(doc: Doc, s: string): number | undefined {
    return s.charCodeAt(0) === PHRASE_CODE ? this.phrasePostings.get(s)?.docs.get(doc) : doc.tf.get(s);
  }

  /** BM25's IDF, counting the stem as in at least `minDf` memories. */
  idf(s: string, minDf = 0): number {
    const n = this.docs.size;
    const df = Math.max(minDf, this.df(s));
    return Math.log(1 + (n - df + 0.5) / (df + 0.5));
  }

  /** Stems of a memory with their counts (pseudo-relevance feedback reads the top hits' words). */
  termsOf(rowid: number): Map<string, number> | undefined {
    return this.docs.get(rowid)?.tf;
  }

  /** The memories that contain the stem. */
  memoriesWith(s: string): number[] {
    const p = this.postings.get(s);
    return p ? [...p.docs.keys()].map((d) => d.rowid) : [];
  }

  /**
   * Memories by weighted BM25 over the query's words and the store's words WordNet relates to them.
   * `extra` adds weighted stems (pseudo-relevance feedback), each counting on its own.
   *
   * Top-k with early exit (MaxScore over term-at-a-time accumulators): query words are scored in
   * order of the most they can add to a memory. Once the words left cannot lift a memory not yet
   * seen above the k-th best score so far, no new memory is admitted, and the words left are
   * scored only for the memories that can still reach the top k, from their own words instead of
   * the words' postings. The result is the same as scoring every posting.
   */
  search(query: string | QueryGroup[], options: { limit: number; area?: MemoryArea; extra?: Map<string, number> }): LexicalHit[] {
    const groups = typeof query === 'string' ? this.queryGroups(query) : [...query];
    for (const [s, w] of options.extra ?? []) groups.push({ query: s, weight: 1, terms: new Map([[s, { weight: w, relation: 'feedback', word: s }]]) });
    const avg = this.docs.size ? this.totalLen / this.docs.size : 1;
    const k = Math.max(1, options.limit);
    const area = options.area;
    // Each group's terms with their IDF (capped by the query word's own) and the group's ceiling.
    const plans = groups.map((g, index) => {
      const cap = g.terms.get(stem(g.query))?.relation === 'word' ? this.idf(stem(g.query)) : Infinity;
      const terms: { s: string; factor: number; posting: Posting }[] = [];
      let bound = 0;
      let cost = 0;
      for (const [s, t] of g.terms) {
        const posting = this.posting(s);
        if (!posting?.docs.size) continue;
        const factor = g.weight * t.weight * Math.min(this.idf(s), cap);
        terms.push({ s, factor, posting });
        bound = Math.max(bound, factor * saturation(posting.maxTf, posting.minLen, avg));
        cost += posting.docs.size;
      }
      return { index, group: g, terms, bound, cost };
    });
    const order = plans.filter((p) => p.terms.length).sort((a, b) => b.bound - a.bound || a.cost - b.cost);
    const { score, best, alive } = this.scores();
    const touched: number[] = [];
    const tfPart = (tf: number, len: number) => (tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * len) / avg));
    let remaining = order.reduce((t, p) => t + p.bound, 0);
    let at = 0;
    // Admitting phase: walk postings while an unseen memory could still reach the top k.
    for (; at < order.length; at++) {
      if (kAbove(touched, score, k, remaining)) break;
      const plan = order[at];
      const seen: number[] = [];
      for (const { factor, posting } of plan.terms) {
        const list = listOf(posting);
        for (let i = 0; i < list.slots.length; i++) {
          const slot = list.slots[i];
          if (area && this.slots[slot]!.area !== area) continue;
          const value = factor * tfPart(list.tf[i], list.len[i]);
          if (value > best[slot]) {
            if (best[slot] === 0) seen.push(slot);
            best[slot] = value;
          }
        }
      }
      for (const slot of seen) {
        if (score[slot] === 0) touched.push(slot);
        score[slot] += best[slot];
        best[slot] = 0;
      }
      remaining -= plan.bound;
    }
    // Finishing phase: only memories that can still reach the top k, dropping the rest after each
    // word; a word is scored from its postings or from the memories' own counts, whichever is less work.
    let candidates = touched;
    for (; at < order.length; at++) {
      const plan = order[at];
      const theta = kthLargest(candidates, score, k);
      candidates = candidates.filter((slot) => score[slot] + remaining >= theta);
      if (candidates.length * plan.terms.length < plan.cost) {
        for (const slot of candidates) {
          const doc = this.slots[slot]!;
          let top = 0;
          for (const { s, factor } of plan.terms) {
            const tf = this.tfOf(doc, s);
            if (tf === undefined) continue;
            const value = factor * tfPart(tf, doc.len);
            if (value > top) top = value;
          }
          score[slot] += top;
        }
      } else {
        for (const slot of candidates) alive[slot] = 1;
        const seen: number[] = [];
        for (const { factor, posting } of plan.terms) {
          const list = listOf(posting);
          for (let i = 0; i < list.slots.length; i++) {
            const slot = list.slots[i];
            if (!alive[slot]) continue;
            const value = factor * tfPart(list.tf[i], list.len[i]);
            if (value > best[slot]) {
              if (best[slot] === 0) seen.push(slot);
              best[slot] = value;
            }
          }
        }
        for (const slot of seen) {
          score[slot] += best[slot];
          best[slot] = 0;
        }
        for (const slot of candidates) alive[slot] = 0;
      }
      remaining -= plan.bound;
    }
    // The best few, rescored in the query's own order with the word that matched each query word.
    const shortlist = candidates
      .filter((slot) => score[slot] > 0)
      .sort((a, b) => score[b] - score[a] || this.slots[b]!.rowid - this.slots[a]!.rowid)
      .slice(0, k + SHORTLIST_MARGIN)
      .map((slot) => this.slots[slot]!);
    for (const slot of touched) score[slot] = 0;
    const byIndex = [...plans].sort((a, b) => a.index - b.index);
    return shortlist
      .map((doc) => {
        let total = 0;
        const matches: MemoryMatch[] = [];
        for (const plan of byIndex) {
          let top = 0;
          let match: MemoryMatch | null = null;
          for (const { s, factor } of plan.terms) {
            const tf = this.tfOf(doc, s);
            if (tf === undefined) continue;
            const value = factor * ((tf * (K1 + 1)) / (tf + K1 * (1 - B + (B * doc.len) / avg)));
            if (value > top) {
              top = value;
              const t = plan.group.terms.get(s)!;
              match = { query: plan.group.query, word: t.word, relation: t.relation, weight: Math.round(t.weight * 100) / 100, ...(t.via ? { via: t.via } : {}), ...(t.asked ? { asked: t.asked } : {}) };
            }
          }
          if (match) {
            total += top;
            matches.push(match);
          }
        }
        return { rowid: doc.rowid, score: total, matches };
      })
      .sort((a, b) => b.score - a.score || b.rowid - a.rowid)
      .slice(0, options.limit);
  }

  // Score arrays as long as the slots, zero between searches.
  private scores(): { score: Float64Array; best: Float64Array; alive: Uint8Array } {
    if (this.scratch.score.length < this.slots.length) {
      const n = Math.max(1024, this.slots.length * 2);
      this.scratch = { score: new Float64Array(n), best: new Float64Array(n), alive: new Uint8Array(n) };
    }
    return this.scratch;
  }

  /** Memories of an area sharing the most rare words with `text` (plain BM25, no WordNet): duplicate candidates. */
  similar(text: string, limit: number, area: MemoryArea): number[] {
    // The rarest few words are enough to find a rewording, and keep a bulk import from walking long postings.
    const rare = [...new Set(contentWords(text).map(termOf))]
      .filter((s) => this.df(s) > 0 && this.df(s) <= Math.max(SIMILAR_MAX_DF, SIMILAR_MAX_SHARE * this.docs.size))
      .sort((a, b) => this.df(a) - this.df(b))
      .slice(0, SIMILAR_WORDS);
    const groups = rare.map((s) => ({ query: s, weight: 1, terms: new Map([[s, { weight: 1, relation: 'word' as const, word: s }]]) }));
    return this.search(groups, { limit, area }).map((h) => h.rowid);
  }

  /** Each topic word of the query with the store's stems it may match, best weight per stem. */
  queryGroups(query: string): QueryGroup[] {
    const lx = lexiconIfLoaded();
    const out: ReturnType<LexicalIndex['queryGroups']> = [];
    for (const w of [...new Set(tokens(query))]) {
      const terms = new Map<string, { weight: number; relation: MemoryMatch['relation']; word: string }>();
      const add = (s: string, weight: number, relation: MemoryMatch['relation'], word: string) => {
        if (!this.postings.get(s)?.docs.size) return;
        const prev = terms.get(s);
        if (!prev || weight > prev.weight) terms.set(s, { weight, relation, word });
      };
      add(stem(w), RELATION_WEIGHT.word, 'word', w);
      if (lx && !/\d/.test(w)) this.expand(lx, w, add);
      if (!/\d/.test(w)) this.neighbours(lx, w, add);
      out.push({ query: w, terms, weight: lx ? topicWeight(lx, w) : 1 });
    }
    // Two words the query writes apart that memories write as one ("on call" → oncall, "e-mail" → email).
    const ws = words(query);
    for (let i = 0; i + 1 < ws.length; i++) {
      const joined = ws[i] + ws[i + 1];
      const s = stem(joined);
      // "maya's" is maya and a possessive, not a word "mayas".
      if (ws[i + 1].length < 2 || /\d/.test(joined) || out.some((g) => g.query === joined || stem(g.query) === s) || !this.postings.get(s)?.docs.size) continue;
      // A determiner and its noun are two words ("a part" is not apart, "some one" not someone), and
      // so are two function words ("in to", "with in"); a particle before a word may be one ("on call").
      if (DETERMINERS.has(ws[i]) || (STOPWORDS.has(ws[i]) && STOPWORDS.has(ws[i + 1]))) continue;
      out.push({ query: joined, terms: new Map([[s, { weight: RELATION_WEIGHT.word, relation: 'word', word: joined }]]), weight: lx ? topicWeight(lx, joined) : 1 });
    }
    this.abbreviated(query, out, lx);
    return out;
  }

  /**
   * An abbreviation in the query also matches what the store links it to ("who's my NUM?" finds "my
   * nurse unit manager"), and the words of such a phrase in the query also match the abbreviation
   * ("nurse unit manager" finds "NUM on 6B"), each at RELATION_WEIGHT.abbreviation.
   */
  private abbreviated(query: string, groups: QueryGroup[], lx: Lexicon | null): void {
    const run = wordRun(query);
    const groupOf = (w: string) => groups.find((g) => g.query === w) ?? groups.find((g) => stem(g.query) === stem(w));
    // Each abbreviation looked up the first time reads the whole store: a query looks up its first few.
    const looked = new Set<string>();
    const mayLookUp = (abbr: string) => looked.has(abbr) || (looked.size < ABBREVIATIONS_PER_QUERY && !!looked.add(abbr));
    run.words.forEach((w, i) => {
      if (!w) return;
      const g = groupOf(w);
      if (!g || !this.abbreviations.mayStandFor(w, run.cases[i] === CAPITALS) || !mayLookUp(w)) return;
      for (const e of this.abbreviations.expansions(w, run.cases[i] === CAPITALS, lx)) {
        const key = this.phrasePosting(e);
        if (!g.terms.has(key)) g.terms.set(key, { weight: RELATION_WEIGHT.abbreviation, relation: 'abbreviation', word: e.phrase });
      }
    });
    for (let i = 0; i < run.words.length; i++) {
      const found = this.abbreviations.abbreviationOf(run.words, i, lx, mayLookUp);
      if (!found) continue;
      const s = stem(found.abbr);
      if (!this.postings.get(s)?.docs.size) continue;
      for (const w of run.words.slice(i, found.end)) {
        const g = w && groupOf(w);
        if (g && (g.terms.get(s)?.weight ?? 0) < RELATION_WEIGHT.abbreviation) g.terms.set(s, { weight: RELATION_WEIGHT.abbreviation, relation: 'abbreviation', word: found.abbr });
      }
    }
  }

  /** The posting key of a phrase an abbreviation stands for, its posting built from the memories that use it. */
  private phrasePosting(e: Expansion): string {
    const key = PHRASE + e.phrase;
    if (!this.phrasePostings.has(key)) {
      const posting = emptyPosting();
      for (const [rowid, n] of e.memories) {
        const doc = this.docs.get(rowid);
        if (doc) addToPosting(posting, doc, n);
      }
      this.phrasePostings.set(key, posting);
    }
    return key;
  }

  private expand(lx: Lexicon, w: string, add: (s: string, weight: number, relation: MemoryMatch['relation'], word: string) => void): void {
    const fromSynset = (synset: number, weight: number, relation: MemoryMatch['relation'], maxDepth: number) => {
      for (const [s, depth] of this.synsetStems(lx, synset)) {
        if (depth > maxDepth) continue;
        const rel = depth === 0 ? relation : 'narrower';
        const rw = depth === 0 ? weight : weight * (RELATION_WEIGHT.narrower / RELATION_WEIGHT.synonym) * Math.pow(0.85, depth - 1);
        add(s, rw, rel, this.surfaceOf(s));
      }
    };
    for (const { synset, weight } of weightedSenses(lx, w)) {
      // Verbs' narrower and broader terms are manners of doing ("put" → "replace"), not topics.
      const verb = lx.synsetPos(synset) === 1;
      fromSynset(synset, RELATION_WEIGHT.synonym * weight, 'synonym', verb ? 0 : NARROWER_DEPTH);
      if (!verb) for (const up of lx.related(synset, REL.hypernym)) {
        fromSynset(up, RELATION_WEIGHT.broader * weight, 'broader', 0);
        for (const up2 of lx.related(up, REL.hypernym)) fromSynset(up2, RELATION_WEIGHT.broader * 0.7 * weight, 'broader', 0);
      }
      for (const rel of [REL.derivation, REL.pertainym, REL.similar, REL.attribute]) for (const t of lx.related(synset, rel)) fromSynset(t, RELATION_WEIGHT.related * weight, 'related', 1);
      for (const g of glossWords(lx, synset)) add(stem(g), RELATION_WEIGHT.definition * weight, 'definition', g);
    }
    // Two-word terms that start with the query word name its kinds ("dental practitioner" → dentist).
    for (const f of lx.baseForms(w)) if (f.pos !== POS_CODES.v) for (const synset of lx.compounds(f.lemmaId).slice(0, COMPOUNDS)) fromSynset(synset, RELATION_WEIGHT.related, 'related', 0);
    // Memory words whose definition uses the query word ("doctor" → vet).
    for (const s of this.glossStems(lx, stem(w))) add(s, RELATION_WEIGHT.definition, 'definition', this.surfaceOf(s));
  }

  /**
   * The store's words whose word vectors are close to the query word's (cosine at least
   * NEIGHBOUR_COSINE: "streaming" → netflix, "tidy" → cleaner), at a weight below any dictionary
   * relation. They rank memories but never make a hit confident: a neighbour is a likely topic, not an
   * answer. Each store word's vector is read once per index, at the first query after the word was added.
   */
  private neighbours(lx: Lexicon | null, w: string, add: (s: string, weight: number, relation: MemoryMatch['relation'], word: string) => void): void {
    const vectors = wordVectors();
    if (!vectors) return;
    const q = wordVectorOf(vectors, lx, w);
    if (!q) return;
    const { matrix, dims, stems } = this.storeVectorMatrix(lx)!;
    const cosines = rowDots(matrix, stems.length, dims, q);
    for (let r = 0; r < stems.length; r++) {
      const cosine = cosines[r];
      if (cosine >= NEIGHBOUR_COSINE) add(stems[r], RELATION_WEIGHT.similar * cosine, 'similar', this.surfaceOf(stems[r]));
    }
  }

  /**
   * The store's words that have word vectors, in the order they were first seen (the surface map's
   * order), with their vectors end to end: new words are appended, so each is read once. Null
   * without a word-vector file.
   */
  private storeVectorMatrix(lx: Lexicon | null): { seen: number; stems: string[]; matrix: Float32Array; dims: number } | null {
    const vectors = wordVectors();
    if (!vectors) return null;
    if (this.storeVectors?.dims !== vectors.dims) this.storeVectors = { seen: 0, stems: [], matrix: new Float32Array(0), dims: vectors.dims };
    const nn = this.storeVectors;
    if (nn.seen < (this.unread?.surfaceCount ?? this.surface.size)) {
      this.readAll();
      const added: [string, Float32Array][] = [];
      let i = 0;
      for (const [s, forms] of this.surface) {
        if (i++ < nn.seen) continue;
        const form = forms.values().next().value as string;
        const v = /\d/.test(form) ? null : wordVectorOf(vectors, lx, form);
        if (v) added.push([s, v]);
      }
      nn.seen = this.surface.size;
      const grown = new Float32Array((nn.stems.length + added.length) * nn.dims);
      grown.set(nn.matrix);
      added.forEach(([, v], k) => {
        grown.set(v, (nn.stems.length + k) * nn.dims);
      });
      for (const [s] of added) nn.stems.push(s);
      nn.matrix = grown;
    }
    return nn;
  }

  /** A word the store writes for the stem. */
  surfaceOf(s: string): string {
    const u = this.unread;
    if (!u) return this.surface.get(s)?.values().next().value ?? s;
    u.surfaceAt ??= offsets(u.surface, 2, 1, (n) => stringAt(u.strings, n));
    const at = u.surfaceAt.get(s);
    return at === undefined || u.surface[at - 1] === 0 ? s : stringAt(u.strings, u.surface[at]);
  }

  /** The store's stems indexed under a synset, with their depth below it, in the order they were indexed. */
  private synsetStems(lx: Lexicon, synset: number): Iterable<[string, number]> {
    const u = this.unread;
    if (!u) return this.conceptIndex(lx).bySynset.get(synset) ?? [];
    u.synsetAt ??= offsets(u.bySynset, 2, 2, (n) => n);
    const at = u.synsetAt.get(synset);
    const out: [string, number][] = [];
    if (at !== undefined) for (let k = at; k < at + u.bySynset[at - 1] * 2; k += 2) out.push([stringAt(u.strings, u.bySynset[k]), u.bySynset[k + 1]]);
    return out;
  }

  /** The store's stems whose definition uses a word (by its stem), in the order they were indexed. */
  private glossStems(lx: Lexicon, word: string): Iterable<string> {
    const u = this.unread;
    if (!u) return this.conceptIndex(lx).byGlossWord.get(word) ?? [];
    u.glossAt ??= offsets(u.byGlossWord, 2, 1, (n) => stringAt(u.strings, n));
    const at = u.glossAt.get(word);
    const out: string[] = [];
    if (at !== undefined) for (let k = at; k < at + u.byGlossWord[at - 1]; k++) out.push(stringAt(u.strings, u.byGlossWord[k]));
    return out;
  }

  private conceptIndex(lx: Lexicon) {
    if (!this.concepts) {
      this.concepts = { bySynset: new Map(), byGlossWord: new Map() };
      for (const [s, forms] of this.surface) for (const w of forms) this.indexConcepts(w, s);
    }
    return this.concepts;
  }

  // A memory word is indexed under its main senses and their broader terms, and under the words of
  // its main sense's definition.
  private indexConcepts(w: string, s: string): void {
    const lx = lexiconIfLoaded();
    if (!lx || !this.concepts || /\d/.test(w)) return;
    const { bySynset, byGlossWord } = this.concepts;
    const put = (synset: number, depth: number) => {
      let m = bySynset.get(synset);
      if (!m) bySynset.set(synset, (m = new Map()));
      if ((m.get(s) ?? Infinity) > depth) m.set(s, depth);
    };
    const senses = weightedSenses(lx, w);
    for (const { synset } of senses) {
      put(synset, 0);
      if (lx.synsetPos(synset) === 1) continue;
      let level = [synset];
      for (let d = 1; d <= NARROWER_DEPTH && level.length; d++) {
        const next: number[] = [];
        for (const id of level) for (const up of lx.related(id, REL.hypernym)) {
          put(up, d);
          next.push(up);
        }
        level = next;
      }
    }
    if (senses.length) {
      for (const g of glossWords(lx, senses[0].synset)) {
        const gs = stem(g);
        if (gs === s) continue;
        let set = byGlossWord.get(gs);
        if (!set) byGlossWord.set(gs, (set = new Set()));
        set.add(s);
      }
    }
  }
}

/**
 * How much a query word says about the topic: words English uses all the time ("go", "put",
 * "family") weigh less than rare ones ("dentist"), by how often WordNet's tagged corpus used the
 * word; words WordNet does not know (names, brands) weigh 1.
 */
export function topicWeight(lx: Lexicon, word: string): number {
  const cache = cacheOf(topicWeights, lx);
  let weight = cache.get(word);
  if (weight === undefined) {
    let uses = 0;
    for (const f of lx.baseForms(word)) {
      let n = 0;
      for (const x of lx.senses(f.lemmaId)) n += x.tagCount;
      uses = Math.max(uses, n);
    }
    weight = 1 / (1 + Math.log(1 + uses / GENERAL_USES));
    remember(cache, word, weight);
  }
  return weight;
}
/** The specific words of a sense's definition: words English uses all the time say nothing ("during", "used"). */
function glossWords(lx: Lexicon, synset: number): readonly string[] {
  const cache = cacheOf(glossWordsOf, lx);
  let ws = cache.get(synset);
  if (!ws) {
    ws = contentWords(lx.gloss(synset))
      .slice(0, 10)
      .filter((g) => !/\d/.test(g) && topicWeight(lx, g) >= GLOSS_TOPIC_WEIGHT);
    remember(cache, synset, ws);
  }
  return ws;
}
// Indexing a store's words asks for the same definitions and the same common words over and over.
const topicWeights = new WeakMap<Lexicon, Map<string, number>>();
const glossWordsOf = new WeakMap<Lexicon, Map<number, readonly string[]>>();
function cacheOf<K, V>(caches: WeakMap<Lexicon, Map<K, V>>, lx: Lexicon): Map<K, V> {
  let cache = caches.get(lx);
  if (!cache) caches.set(lx, (cache = new Map()));
  return cache;
}
function remember<K, V>(cache: Map<K, V>, key: K, value: V): void {
  if (cache.size >= 200_000) cache.clear();
  cache.set(key, value);
}
const GLOSS_TOPIC_WEIGHT = 0.5;

/** Tagged uses at which a word's topic weight is about 0.6. */
const GENERAL_USES = 50;

/** The most BM25's term-frequency part can be for a word seen at most `maxTf` times in a memory of at least `minLen` words. */
function saturation(maxTf: number, minLen: number, avg: number): number {
  return (maxTf * (K1 + 1)) / (maxTf + K1 * (1 - B + (B * minLen) / avg));
}

function listOf(posting: Posting): PostingList {
  if (!posting.list) {
    const n = posting.docs.size;
    const list: PostingList = { slots: new Int32Array(n), tf: new Float64Array(n), len: new Float64Array(n) };
    let i = 0;
    for (const [doc, tf] of posting.docs) {
      list.slots[i] = doc.slot;
      list.tf[i] = tf;
      list.len[i++] = doc.len;
    }
    posting.list = list;
  }
  return posting.list;
}

/** Whether at least `k` of the slots score above `value`: then no memory scoring at most `value` is in the top k. */
function kAbove(slots: number[], score: Float64Array, k: number, value: number): boolean {
  let n = 0;
  for (const slot of slots) if (score[slot] > value && ++n >= k) return true;
  return false;
}

/** The k-th largest score among the slots (0 when fewer), by quickselect. */
function kthLargest(slots: number[], score: Float64Array, k: number): number {
  if (slots.length < k) return 0;
  const v = Float64Array.from(slots);
  for (let i = 0; i < v.length; i++) v[i] = score[v[i]];
  // The (k-1)-th position in descending order.
  let lo = 0;
  let hi = v.length - 1;
  const want = k - 1;
  while (lo < hi) {
    const pivot = v[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (v[i] > pivot) i++;
      while (v[j] < pivot) j--;
      if (i <= j) {
        const t = v[i];
        v[i++] = v[j];
        v[j--] = t;
      }
    }
    if (want <= j) hi = j;
    else if (want >= i) lo = i;
    else break;
  }
  return v[want];
}

/** A snapshot's store words and concepts as flat arrays (LexicalSnapshot), with the places of the keys looked up so far. */
type Unread = {
  strings: string[];
  surface: Int32Array;
  bySynset: Int32Array;
  byGlossWord: Int32Array;
  surfaceCount: number;
  surfaceAt: Map<string, number> | null;
  synsetAt: Map<number, number> | null;
  glossAt: Map<string, number> | null;
};

function stringAt(strings: string[], n: number): string {
  const text = strings[n];
  if (text === undefined) throw new Error('damaged index snapshot');
  return text;
}

/**
 * Walks a flat array of runs — a key, more head numbers, the run's length last, then that many
 * entries of `each` numbers — calling `read` with the key, the length and where the entries start.
 * Throws when a run does not fit.
 */
function runs(flat: Int32Array, head: number, each: number, read: (key: number, count: number, at: number) => void): void {
  for (let i = 0; i < flat.length; ) {
    const count = flat[i + head - 1];
    const at = i + head;
    if (!(count >= 0) || at + count * each > flat.length) throw new Error('damaged index snapshot');
    read(flat[i], count, at);
    i = at + count * each;
  }
}

/** Where each key's entries start in a flat array of runs (the first run of a key counts). */
function offsets<K>(flat: Int32Array, head: number, each: number, key: (n: number) => K): Map<K, number> {
  const out = new Map<K, number>();
  runs(flat, head, each, (k, _count, at) => {
    const name = key(k);
    if (!out.has(name)) out.set(name, at);
  });
  return out;
}

/** A word's vector, looked up in its base form first when WordNet knows one ("tidies" → tidy). */
function wordVectorOf(vectors: WordVectorFile, lx: Lexicon | null, word: string): Float32Array | null {
  const base = lx ? baseOf(lx, word) : null;
  return ((base && vectors.get(base)) || vectors.get(word))?.vector ?? null;
}

/**
 * The stem a word is indexed under: that of the spelling its British/American pair shares ("colour" →
 * color, "dialog" → dialogue) and of its base form when WordNet knows only one ("knives" → knife).
 */
export function termOf(word: string): string {
  const lx = lexiconIfLoaded();
  if (!lx) return stem(word);
  const w = spelled(lx, word);
  return stem(baseOf(lx, w) ?? w);
}

/**
 * Topic words of a text in their American spelling ("organised" → organized), irregular forms in
 * their base form ("knives" → knife), with two-word WordNet terms added as one token in their base
 * form ("washing machines" → washing_machine), and so are the WordNet terms it writes with hyphens
 * ("in-laws" → in_law).
 */
export function tokens(text: string): string[] {
  const lx = lexiconIfLoaded();
  if (!lx) return contentWords(text);
  const ws = contentWords(text).map((w) => spelled(lx, w));
  const out = ws.map((w) => baseOf(lx, w) ?? w);
  for (let i = 0; i + 1 < ws.length; i++) {
    if (/\d/.test(ws[i]) || /\d/.test(ws[i + 1])) continue;
    const compound = `${ws[i]}_${ws[i + 1]}`;
    if (lx.lemmaId(compound) >= 0) out.push(compound);
    else {
      // The last word inflected ("machines" → machine).
      const last = baseOf(lx, ws[i + 1]);
      if (last && lx.lemmaId(`${ws[i]}_${last}`) >= 0) out.push(`${ws[i]}_${last}`);
    }
  }
  for (const term of hyphenated(lx, text)) if (!out.includes(term)) out.push(term);
  return out;
}

/**
 * The WordNet terms a text writes with hyphens, as one token each in their base form ("in-laws" →
 * in_law, "tune-up" → tune_up, "x-rays" → x_ray): a hyphenated word is one word even when a part
 * of it is a function word.
 */
function hyphenated(lx: Lexicon, text: string): string[] {
  if (!text.includes('-')) return [];
  const out: string[] = [];
  for (const m of text.matchAll(/[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)+/gu)) {
    const parts = words(m[0]);
    if (parts.length < 2 || parts.some((p) => /\d/.test(p))) continue;
    const last = parts[parts.length - 1];
    for (const end of [last, ...lx.baseForms(last).map((f) => lx.lemma(f.lemmaId))]) {
      const term = [...parts.slice(0, -1), end].join('_');
      if (lx.lemmaId(term) >= 0) {
        out.push(term);
        break;
      }
    }
  }
  return out;
}

// Base forms and spellings repeat as much as the words do: looked up once per word (per lexicon).
const spellings = new WeakMap<Lexicon, Map<string, string>>();
function spelled(lx: Lexicon, word: string): string {
  let cache = spellings.get(lx);
  if (!cache) spellings.set(lx, (cache = new Map()));
  let out = cache.get(word);
  if (out === undefined) {
    if (cache.size >= 200_000) cache.clear();
    cache.set(word, (out = /\d/.test(word) ? word : (commonSpelling(lx, word) ?? word)));
  }
  return out;
}
const bases = new WeakMap<Lexicon, Map<string, string | null>>();
function baseOf(lx: Lexicon, word: string): string | null {
  if (/\d/.test(word)) return null;
  let cache = bases.get(lx);
  if (!cache) bases.set(lx, (cache = new Map()));
  let base = cache.get(word);
  if (base === undefined) {
    if (cache.size >= 200_000) cache.clear();
    cache.set(word, (base = lx.baseForm(word)));
  }
  return base;
}

/**
 * The senses a word is most likely meant in, by how often WordNet's tagged corpus used them (the
 * most used weighs 1), through its base forms; none for a word with dozens of senses.
 */
export function weightedSenses(lx: Lexicon, word: string): { synset: number; weight: number }[] {
  const forms = lx.baseForms(word);
  const out = new Map<number, number>();
  for (const lemma of new Set(forms.map((f) => f.lemmaId))) {
    const expandable = lx.expansionSenses(lemma);
    if (expandable === null) return [];
    const senses = lx.senses(lemma).filter((x) => forms.some((f) => f.lemmaId === lemma && f.pos === x.pos));
    const max = Math.max(1, ...senses.map((x) => x.tagCount));
    for (const x of senses) {
      // Untagged senses count by their order: the first of each part of speech, and a few after it.
      const share = max > 1 ? (x.tagCount + (expandable.includes(x.synset) ? 1 : 0)) / max : expandable.includes(x.synset) ? 1 : x.rank === 0 ? 0.5 : 0;
      if (share >= MIN_SENSE_SHARE) out.set(x.synset, Math.max(out.get(x.synset) ?? 0, Math.min(1, share)));
    }
  }
  return [...out].map(([synset, weight]) => ({ synset, weight })).sort((a, b) => b.weight - a.weight).slice(0, 6);
}
