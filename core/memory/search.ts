import type { MemoryArea, MemoryExplain, MemoryHit, MemoryMatch } from '../contract/index.js';
import { askedThing } from './asked.js';
import { relate } from './dedup.js';
import { dot, isOfflineEmbedder, withWordVectors, wordingCosine } from './embedder.js';
import { RELATION_WEIGHT, termOf, tokens, topicWeight, type LexicalIndex, type QueryGroup } from './lexical.js';
import { POS_CODES, lexiconIfLoaded, type Lexicon } from './lexicon/index.js';
import { addPeople, kinWord, peopleAsked } from './people.js';
import { rowToMemory, type MemoryQueries, type MemoryRow } from './store.js';
import { STOPWORDS, contentWords, highlightRanges, stem, words } from './text.js';
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
  /** Weight of the vector list in the fusion (the full-text list weighs 1) with the offline embedder. */
  vectorWeight: number;
  /**
   * The same with an embedding model (Ollama, OpenAI-compatible): its nearest neighbours find what a
   * question says in other words ("dad" for father, "super" for a retirement fund), which neither
   * the full-text list nor the offline embedder links, so they weigh as much as the full text.
   */
  modelVectorWeight: number;
  /** Terms taken from the top full-text hits for a second pass (0 turns feedback off), and from how many hits. */
  feedbackTerms: number;
  feedbackDocs: number;
  /** How many top hits are checked for older facts a newer one replaces. */
  updateWindow: number;
  /** The first full-text pass feeds back terms when its top hit covers this share of the query's weightiest word. */
  feedbackCoverage: number;
  /** A hit is confident when its matches cover this share of all the query's weight, or its vector is this close. */
  confidentShare: number;
  confidentSimilarity: number;
  /** The same for the offline embedder with word vectors, whose cosines run higher (related words count). */
  confidentSimilarityWordVectors: number;
  /**
   * A hit answering part of a query is confident when it covers this share of the query's weightiest
   * word and the top hits together answer nearly all of it.
   */
  partWeightiestCoverage: number;
}

export const DEFAULT_PROFILE: WeightProfile = {
  rrfK: 10,
  candidates: 60,
  halfLifeMs: 180 * 86_400_000,
  recencyWeight: 0.05,
  pinBoost: 0.25,
  supersededPenalty: 0.4,
  updateWindow: 20,
  vectorWeight: 0.5,
  modelVectorWeight: 1,
  feedbackTerms: 6,
  feedbackDocs: 3,
  feedbackCoverage: 0.65,
  confidentShare: 0.6,
  confidentSimilarity: 0.5,
  confidentSimilarityWordVectors: 0.7,
  partWeightiestCoverage: 0.65,
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

/** Stems the top full-text hits share beyond the query: RM3-style pseudo-relevance feedback. */
function feedbackTerms(lexical: LexicalIndex, top: { rowid: number }[], query: Set<string>, count: number): Map<string, number> {
  const weight = new Map<string, number>();
  top.forEach((hit, i) => {
    for (const [s, tf] of lexical.termsOf(hit.rowid) ?? []) {
      if (query.has(s) || lexical.df(s) < 2) continue;
      weight.set(s, (weight.get(s) ?? 0) + (tf * lexical.idf(s)) / (i + 1));
    }
  });
  const best = [...weight].sort((a, b) => b[1] - a[1]).slice(0, count);
  const max = best[0]?.[1] ?? 1;
  return new Map(best.map(([s, w]) => [s, (RELATION_WEIGHT.feedback * w) / max]));
}

/**
 * Hybrid search: weighted BM25 (the query's words and the words WordNet relates to them) and
 * vector candidates fused by reciprocal rank, then scaled by recency, pin and supersede; each hit
 * carries the numbers that placed it, and is confident or a long shot.
 */
export function hybridSearch(
  deps: { queries: MemoryQueries; vectors: VectorIndex; lexical: LexicalIndex; now: number },
  query: string,
  queryVector: Float32Array | null,
  options: SearchOptions,
): MemoryHit[] {
  const p = options.profile ?? DEFAULT_PROFILE;
  // Over-fetch when a filter applies after retrieval.
  const k = options.pinned !== undefined ? p.candidates * 4 : p.candidates;
  // WordNet expansion is the costly part: done once per search.
  const groups = deps.lexical.queryGroups(query);
  // "my son", "Dan's mother": the names the memories give them answer for the relation word.
  const reached = addPeople(groups, peopleAsked(query, deps.lexical, deps.queries), deps.lexical);
  let lexical = deps.lexical.search(groups, { limit: k, area: options.area });
  const weightiest = weightiestWordCoverage(deps.lexical, groups);
  const answered = answeredShare(deps.lexical, groups, query);
  // Feedback only from a first pass whose top hit answers the query's weightiest word; from long shots it drifts.
  if (p.feedbackTerms > 0 && lexical.length >= 2 && weightiest(lexical[0].matches) >= p.feedbackCoverage) {
    const own = new Set([...queryWords(query).map(stem), ...groups.map((g) => stem(g.query))]);
    const extra = feedbackTerms(deps.lexical, lexical.slice(0, p.feedbackDocs), own, p.feedbackTerms);
    if (extra.size) lexical = deps.lexical.search(groups, { limit: k, area: options.area, extra });
  }
  // A query of only stopwords embeds to nothing; its "nearest" vectors would be arbitrary.
  const vector = queryVector?.some((x) => x !== 0) ? deps.vectors.knn(queryVector, k, options.area) : [];
  type Found = { bm25Rank: number | null; matches: MemoryMatch[]; vectorRank: number | null; vectorSimilarity: number | null };
  const found = new Map<number, Found>();
  lexical.forEach((r, i) => found.set(r.rowid, { bm25Rank: i + 1, matches: r.matches, vectorRank: null, vectorSimilarity: null }));
  vector.forEach((r, i) => {
    const entry = found.get(r.rowid) ?? { bm25Rank: null, matches: [], vectorRank: null, vectorSimilarity: null };
    entry.vectorRank = i + 1;
    entry.vectorSimilarity = 1 - r.distance;
    found.set(r.rowid, entry);
  });
  const rows = deps.queries.getMany([...found.keys()]);
  const stems = new Set(queryWords(query).map(stem));
  const gen = deps.vectors.activeGeneration();
  const vectorWeight = gen && !isOfflineEmbedder(gen.embedder) ? p.modelVectorWeight : p.vectorWeight;
  const toHit = (row: MemoryRow, f: Found): MemoryHit => {
    const rrf = (f.bm25Rank ? 1 / (p.rrfK + f.bm25Rank) : 0) + (f.vectorRank ? vectorWeight / (p.rrfK + f.vectorRank) : 0);
    const explain: MemoryExplain = {
      ...f,
      rrf,
      recencyBoost: 1 + p.recencyWeight * Math.pow(0.5, Math.max(0, deps.now - row.created_at) / p.halfLifeMs),
      pinBoost: row.pinned === 1 ? 1 + p.pinBoost : 1,
      supersededPenalty: row.superseded_by ? p.supersededPenalty : 1,
      updateBoost: 1,
      replacedBy: row.superseded_by,
      replacedBecause: row.superseded_by ? 'it was saved later as a fact that contradicts this one' : null,
      replaces: null,
    };
    const score = rrf * explain.recencyBoost * explain.pinBoost * explain.supersededPenalty;
    return { memory: rowToMemory(row), score, explain, confident: false, highlights: [] };
  };
  const hits: MemoryHit[] = [];
  for (const row of rows) {
    if (options.pinned !== undefined && (row.pinned === 1) !== options.pinned) continue;
    hits.push(toHit(row, found.get(row.rowid)!));
  }
  hits.sort((a, b) => b.score - a.score || b.memory.createdAt - a.memory.createdAt);
  const idf = (s: string) => deps.lexical.idf(s, 1);
  const total = deps.lexical.size;
  const specific = (w: string) => deps.lexical.df(termOf(w)) <= Math.max(2, SPECIFIC_SHARE * total);
  const queryWeightOf = new Map(groups.map((g) => [g.query, g.weight * deps.lexical.idf(stem(g.query), 1)]));
  const coverageOf = new Map(hits.map((h) => [h, weightiest(h.explain.matches)]));
  const rowOf = new Map(rows.map((r) => [r.id, r]));
  const named = namedThing(deps.lexical);
  const about = sameAttribute(new Set(queryWords(query).map(termOf)), specific, named);
  const pulled = bringInUpdates(hits, rowOf, (row) => toHit(row, { bm25Rank: null, matches: [], vectorRank: null, vectorSimilarity: null }), options, deps, named, about);
  orderKnowledgeUpdates(hits.slice(0, p.updateWindow), (older) => hits.filter((h) => h.score > older.score).length, stems, (h) => coverageOf.get(h) ?? 0, specific, idf, (id) => {
    const row = rowOf.get(id);
    return gen && row ? deps.vectors.vector(gen, row.rowid) : null;
  }, (q) => queryWeightOf.get(q) ?? 0, wordingCosine(gen?.embedder ?? ''), named, about, pulled, options.limit);
  hits.sort((a, b) => b.score - a.score || b.memory.createdAt - a.memory.createdAt);
  const closeEnough = gen && withWordVectors(gen.embedder) ? p.confidentSimilarityWordVectors : p.confidentSimilarity;
  const nameWords = namesAsked(query);
  // Someone asked about by relation ("my son") is asked about as by name: a memory that only names him answers nothing else.
  const names = new Set([...nameWords, ...reached]);
  // A name is answered by itself, not by what WordNet relates to the same letters ("Kat": khat, quat);
  // a relation word keeps its own ("my kids": children).
  const matchesOf = (h: MemoryHit) => (nameWords.size ? h.explain.matches.filter((m) => !nameWords.has(m.query) || m.relation === 'word' || m.relation === 'person') : h.explain.matches);
  // "Which school does Hamish go to?": a memory that only names Hamish is about him, not his school,
  // neither an answer nor a part of a joint one (for one question of one clause that asks more than
  // the name and what kind of value it wants: "How old is Leo?" asks only about Leo).
  const oneQuestion = answered.clauses === 1 && !/\band\b|[:/&+]/.test(query);
  const aboutNamed = names.size > 0 && oneQuestion && contentWords(query.trim().replace(VALUE_PHRASE, '')).some((w) => !names.has(queryForm(w)));
  const part = aboutNamed ? (h: MemoryHit) => !onlyNamesAnswered(matchesOf(h), names) : () => true;
  // "the radiators stay cold": a problem told, not a question, is put in the teller's words, not the fix's.
  const told = tellsProblem(query) ? (m: MemoryMatch[]) => answered(m) >= TOLD_SHARE && weightiest(m) >= 1 : () => false;
  markConfident(hits, answered, (m) => weightiest(m) >= p.partWeightiestCoverage, p, closeEnough, matchesOf, part, told);
  if (aboutNamed) {
    for (const h of hits) if (h.confident && onlyNamesAnswered(matchesOf(h), names)) h.confident = false;
  }
  // "When is Kat's birthday?": Zain's birthday, or mine, is someone else's.
  const owned = ownedAsked(query, nameWords);
  if (owned.length) for (const h of hits) if (h.confident && someoneElses(h, owned)) h.confident = false;
  // "When …?", "how old …?": a memory that names the subject but no time or number does not answer it.
  const value = valueAskedFor(query);
  if (value) for (const h of hits) if (h.confident && !value.test(h.memory.text)) h.confident = false;
  // "What's Dan's mobile number?": his licence number, or a mobile plan, is something else (`thingWords`).
  const thing = thingWords(query);
  if (thing.length) for (const h of hits) if (h.confident && !answersAll(matchesOf(h), thing)) h.confident = false;
  // A newer memory ranked above one it updates answers as that one does, when it was saved as its
  // replacement or is about the same attribute; one that only says a thing the older one names changed
  // is news about that thing, not an answer.
  for (const [newer, { older, inherits }] of pulled) if (inherits && older.confident && (!value || value.test(newer.memory.text))) newer.confident = true;
  // Nothing the store says matches a word of the query, and nothing is close in meaning: whatever
  // the vectors ranked nearest ("qwertyuiop" shares letters with something) is no answer.
  if (!lexical.length && !hits.some((h) => h.confident)) return [];
  const top = hits.slice(0, options.limit);
  // Highlights only for what is returned.
  const asWords = new Set(queryWords(query).map(termOf));
  for (const hit of top) hit.highlights = highlightRanges(hit.memory.text, new Set([...asWords, ...hit.explain.matches.flatMap((m) => words(m.word).map(termOf))]), termOf);
  return top;
}

/**
 * Confident hits: those answering most of the query (`confidentShare`), close in meaning
 * (`confidentSimilarity`, or `confidentSimilarityWordVectors` for the offline embedder with word vectors), or answering a part of it, its weightiest word included, while the top
 * hits that answer their part together answer nearly all of it ("who is my dentist, and how do I
 * get raw output from jq?" is answered by two memories). A name the query asks about counts only by
 * itself (`matchesOf`). A problem told rather than asked (`told`) is answered by a memory answering
 * `TOLD_SHARE` of it, its weightiest word included. The rest are long shots.
 */
function markConfident(
  hits: MemoryHit[],
  answered: Answered,
  answersWeightiest: (m: MemoryMatch[]) => boolean,
  p: WeightProfile,
  closeEnough: number,
  matchesOf: (h: MemoryHit) => MemoryMatch[],
  part: (h: MemoryHit) => boolean,
  told: (m: MemoryMatch[]) => boolean,
): void {
  const parts = hits.slice(0, JOINT_WINDOW).filter((h) => part(h) && answersWeightiest(matchesOf(h)));
  const joint = answered(bestPerQueryWord(parts.flatMap(matchesOf)), true);
  for (const h of hits) {
    const matches = matchesOf(h);
    h.confident =
      answered(matches) >= p.confidentShare ||
      (h.explain.vectorSimilarity ?? 0) >= closeEnough ||
      (joint >= JOINT_SHARE && answered(matches, true) >= PART_SHARE && answersWeightiest(matches)) ||
      told(matches);
  }
}

/** Words a question begins with; a query without one and without a question mark tells something ("the radiators stay cold", "kitchen drawer batteries"). */
const QUESTION_START = /^\s*(what|what's|whats|which|who|who's|whom|whose|when|where|where's|why|how|is|are|am|was|were|do|does|did|can|could|should|would|will|shall|have|has|any)\b/i;
/**
 * How a problem is told: something does not work ("won't", "not", "no space left", "nobody can"), keeps
 * happening, fails, broke, leaks, hangs, overheats, drips, beeps or buzzes, drains, blew or tripped,
 * stays cold, takes forever, returns a 5xx/4xx code, or hurts. These say trouble wherever they stand.
 */
const TROUBLE = new RegExp(
  [
    `n['’]t\\b|\\b(ca|wo|do|does|is|was|did|are|were|would|could|has|have)nt\\b|\\b(not|never|nobody|cannot|no longer)\\b|\\bno\\b(?![.\\-‐–])`,
    `\\b(keeps|again|constantly|forever)\\b|\\bkeep (on )?[a-z]+ing\\b`,
    `\\b(fail(s|ed|ing|ures?)|crash(es|ed|ing)|broke|broken|breaks|stuck|stopped|stops|died|los(es|ing)|wrong|leak(s|ed|ing|y)|slows|slowing|lag(s|ging)|refus(es|ed|ing)|rejected|denied|unauthori[sz]ed|expired|jammed|flooded)\\b`,
    `\\b(drip(s|ping)|puddles?|cutting out|falling behind|slip(s|ping|ped)|shedding|beeping|blinking|flashing|flickering|smell(s|y)|reeks?|stinks?|rattl(es|ing)|squeak(s|ing|y)|burns|burning|burnt|soggy|gummy|mou?ldy|rusty|rusting|shrunk)\\b`,
    `\\b(cracked|bleeding|swollen|itch(es|y|ing)|scratching|hurts?|hurting|aches|aching|painful|sore|fever|shaky|dizzy|croaky|hoarse)\\b`,
    `\\b(lukewarm|overheat(s|ed|ing)?|unresponsive|clogged|hangs|freezes|froze|flaky|draining|blew|blown|tripped|tripping|noisy|buzz(es|ing)|grind(s|ing)|whin(es|ing)|stutter(s|ing)|skipping)\\b`,
    `\\b(stays?|stayed|staying) (cold|warm|hot|on|off|dark|wet|open|shut|closed)\\b|\\b(drops?|dropped|dropping|cuts?|cutting) (out|off)\\b`,
    `\\b(get|gets|getting|got|returns?|returning|returned|throws?|throwing|giving|gives|gave)( an?| the)?( http)? [45]\\d\\d\\b|\\b[45]\\d\\d (errors?|responses?|status)\\b`,
  ].join('|'),
  'i',
);
/**
 * Words that say trouble only as what is said of a thing, not as part of its name: "the espresso
 * tastes bitter", "car battery flat", "disk full on server", "lost my keys" tell a problem;
 * "error budget doc", "still water brand", "sick leave policy", "slow cooker recipe", "lost property
 * office" are things looked up. Such a word counts after a linking verb or an adverb of degree, or when
 * what follows it is no noun it names: the end, a comma, a function word or a verb.
 */
const TROUBLE_SAID = /^(errors?|kept|still|nothing|without|missing|lost|locked|blocked|dead|slow(er)?|offline|time(s|d)? ?outs?|timeouts?|overdue|damp|sour|stale|cloudy|hazy|rash|pain|sick|ill|rust|aches?|leaky|bitter|funny|weird|strange|flat|low|full|noise|cold|hot|warm|frozen|freezing|hung|hanging|drains?|trips|jams?|lag|burn|sticky|loud|dim|blurry|fuzzy|tight|loose|wobbly|wet|empty)$/i;
/** Linking verbs and degree adverbs after which a trouble word says what a thing is ("is slow", "tastes funny", "too low"). */
const SAID_AFTER = /^(is|are|was|were|be|been|being|am|says?|said|shows?|showing|reads?|seems?|seemed|looks?|looked|feels?|felt|tastes?|tasted|smells?|sounds?|stays?|stayed|gets?|getting|got|gone|goes|went|going|runs?|running|ran|turns?|turned|turning|keeps?|kept|comes?|came|too|very|really|so|quite|bit|always|totally|completely|still|now|all|again|s|re|m)$/i;
/** Words after which a trouble word names nothing: function words, a few adverbs and verbs ("lost my keys", "full on the server", "errors keep appearing"). */
const SAID_BEFORE = new Set([
  ...STOPWORDS,
  ...'again fast quickly slowly overnight constantly every all now today tonight lately recently since when whenever after before during while until and or but on in at of off out up down from for with without to by my our the a an his her their its your this that these those some any since although though because keep keeps kept appear appears appearing show shows showing pop pops popping come comes coming happen happens happening occur occurs occurring is are was were'.split(' '),
]);
/** Verbs a request begins with ("find a gym …", "remind me to …", "look up …"): it asks for something to be done, it tells no problem. */
const REQUEST_START = /^\s*(please\s+)?(find|show|remind|list|search|look (up|for|into)|get|book|buy|add|note|tell me|draft|write|send|give me|help me|remember|save|schedule|plan|suggest|recommend|compare|summari[sz]e|translate|create|make me|make a|pull up|bring up|open)\b/i;
/** Whether a word of `ws` at `i` says trouble as what it says of a thing (see `TROUBLE_SAID`). */
function saysTrouble(ws: string[], i: number): boolean {
  const w = ws[i].replace(/^['’]|['’]$/g, '');
  if (!TROUBLE_SAID.test(w)) return false;
  const before = ws[i - 1];
  if (before !== undefined && SAID_AFTER.test(before)) return true;
  // "still" at the start or after a determiner is an adjective ("still water", "the still life"); elsewhere an adverb ("the tap still drips").
  if (/^still$/i.test(w)) return before !== undefined && !/^(the|a|an|my|our|your|some|this|that)$/i.test(before);
  const after = ws[i + 1];
  return after === undefined || after === ',' || SAID_BEFORE.has(after.toLowerCase());
}
/** A query as words and commas, hyphenated words split ("no-knead" is "no", "knead"), apostrophes kept in words ("won't"). */
function troubleWords(query: string): string[] {
  return query.match(/[\p{L}\p{N}]+(['’][\p{L}]+)?|,/gu) ?? [];
}
/**
 * Whether a query tells a problem rather than asking a question or for something to be done: no
 * question word or mark, no request verb first, at least `TOLD_WORDS` topic words, and it says what
 * is wrong (`TROUBLE`, or a `TROUBLE_SAID` word said of a thing).
 */
function tellsProblem(query: string): boolean {
  if (query.includes('?') || QUESTION_START.test(query) || REQUEST_START.test(query) || contentWords(query).length < TOLD_WORDS) return false;
  if (TROUBLE.test(query)) return true;
  const ws = troubleWords(query);
  return ws.some((_, i) => saysTrouble(ws, i));
}
/** A told problem is answered by a memory answering this share of it, its weightiest word included. */
const TOLD_SHARE = 0.4;
/** Fewer topic words than this tell too little to judge ("qwertyuiop", "passport"). */
const TOLD_WORDS = 3;

/**
 * What a question of one clause asks for, as a pattern its answer must contain: an amount of money
 * ("how much did … cost", "how much do we pay …", "what does … cost"), a number ("how old",
 * "how much", "how many", "what percent") or a time ("when", "what time", "which day", "how long",
 * "how often": a number, a date, a weekday or a time word). Null for any other question.
 */
function valueAskedFor(query: string): RegExp | null {
  const q = query.trim().toLowerCase();
  if (/[,;]|\band\b/.test(q)) return null;
  if (/^how much\b.*\b(costs?|pay|paid|spend|spent|charged?|price)\b|^what (does|did|do|will)\b.*\bcost\b/.test(q)) return MONEY;
  if (/^(how (old|much|many)|what percent(age)?)\b/.test(q)) return NUMBER;
  if (/^(when|what time|what day|which days?|what year|how (long|often))\b/.test(q)) return TIME;
  return null;
}
/** How a question asks for a value, which says nothing about its subject ("how long ago", "how long since" ask when). */
const VALUE_PHRASE = /^(how (old|much|many|long( ago| since)?|often)|what (time|day|year|percent(age)?)|which days?|when)\b/i;
const NUMBER_WORDS = 'one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|zero|couple|few|several|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|million|dozen|half|quarter|twice|once';
const NUMBER = new RegExp(`\\d|\\b(${NUMBER_WORDS})\\b`, 'i');
/** Currency signs, and ISO codes written next to an amount ("450 SEK", "CHF 30"). */
const CURRENCY_SIGNS = '$€£¥₹₩₪₺₽₴₱₫฿₦';
const CURRENCY_CODES = 'eur|usd|gbp|cad|aud|nzd|chf|sek|nok|dkk|isk|pln|czk|huf|ron|bgn|jpy|cny|rmb|hkd|sgd|inr|krw|thb|myr|vnd|zar|mxn|brl|clp|aed|ils|egp|ngn|kes';
/**
 * Currency words after an amount; "kr", "zł" and "Rs" before it too ("kr 450", "Rs. 500"). A bare "k" is no currency
 * ("the Parkrun 5k", "a 4K monitor"); after a sign or code it is a scale ("$40k", "GBP 40k").
 */
const CURRENCY_WORDS = `grand|dollars?|bucks|euros?|pounds?|quid|cents?|pence|kr|kronor|kroner|krona|krone|zł|zloty|złoty|rupees?|rs|yen|yuan|francs?|pesos?|rand`;
/** How big an amount after a currency code is ("USD 3m", "GBP 40k"). */
const SCALES = 'k|m|mn|bn|million|billion|thousand|grand';
/** What an amount is per, run into it ("AUD 60pw", "GBP 950pcm", "EUR 30pp", "USD 5mo", "NZD 80ea", "KES 4500pm"). */
const PER_UNIT = 'pcm|pppn|pp|pn|pa|pm|pw|pd|ph|mo|mth|yr|wk|hr|ea';
/** Nothing to pay, said of a price: "for free", "free of charge", "is free", "free entry", "cost nothing", "paid nothing" (not "nothing fancy", "gluten free"). */
const FREE = `\\bfor free\\b|\\bfree of charge\\b|\\b(is|are|was|were|be|been|it['’]s|that['’]s|now|always|totally|completely) free\\b|\\bfree (entry|admission|entrance|delivery|shipping)\\b|\\b(costs?|costing|paid|pay|pays|for) nothing\\b|\\bnothing to pay\\b`;
/**
 * An amount of money: a currency sign before or after a number ("$12", "420€"), a number with a
 * currency word or ISO code on either side ("450 SEK", "CHF 30", "30 kr"), pence written on the
 * number ("50p", not "3 p.m."), or nothing at all (`FREE`). A code after a number is no currency when
 * what follows is a plural it names ("2 CAD files"). After a code the number must stand as an
 * amount — digits with separators, then a scale or what it is per ("CAD 1,250.50", "USD 3m", "GBP 950pcm",
 * "KES 4,500pm") — not run into a word ("CAD 3D", "CAD 2.5D" are files); pence are one or two digits
 * ("1080p" is a screen).
 */
const MONEY = new RegExp(
  [
    `[${CURRENCY_SIGNS}]\\s?\\d`,
    `\\d\\s?[${CURRENCY_SIGNS}]`,
    `\\d\\s?(${CURRENCY_WORDS})(?![a-z])`,
    `\\d\\s?(${CURRENCY_CODES})(?![a-z])(?!\\s+(?!(is|was|has|its|this|plus|less|as|us|thus)\\b)[a-z]+s\\b)`,
    `(?<![a-z])((${CURRENCY_CODES}|kr|zł)\\.?\\s?|rs(\\.\\s?|\\s))(?=(?<amount>\\d[\\d,.']*))\\k<amount>(\\s?(${SCALES}))?(${PER_UNIT})?(?![a-z\\d])`,
    `(?<![\\d.,])\\d{1,2}p(?!\\.?m\\b)(?![a-z])`,
    FREE,
  ].join('|'),
  'i',
);
const TIME = new RegExp(
  `\\d|\\b(${[
    NUMBER_WORDS,
    'jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sept?(ember)?|oct(ober)?|nov(ember)?|dec(ember)?',
    'mon(day)?s?|tue(s(day)?)?s?|wed(nesday)?s?|thu(rs?(day)?)?s?|fri(day)?s?|sat(urday)?s?|sun(day)?s?|weekdays?|weekends?',
    'every|daily|weekly|monthly|yearly|annually|fortnightly|nightly|hourly|first|third|fourth|fifth',
    'mornings?|afternoons?|evenings?|nights?|noon|midnight|tonight|today|tomorrow|yesterday|ago',
    'spring|summer|autumn|fall|winter|christmas|easter|thanksgiving',
    '(second|minute|hour|day|week|fortnight|month|year|decade)s?',
  ].join('|')})\\b`,
  'i',
);

/** A word as the query's word groups write it (`MemoryMatch.query`: "Pickles" is pickle). */
function queryForm(word: string): string {
  return tokens(word)[0] ?? word;
}

/** Words a query names something by: capitalised, not where a sentence begins ("Which school does Hamish go to?": hamish). */
export function namesAsked(query: string): Set<string> {
  const out = new Set<string>();
  const lx = lexiconIfLoaded();
  for (const m of query.matchAll(/(?<![.?!:]\s*|^\s*)\b([A-Z][a-z]+)\b/g)) {
    const w = m[1].toLowerCase();
    // Months and weekdays are written capitalised but name no one; "Mum", "Dad" or "Gran" is how one
    // addresses a relative, a word whose synonyms ("mother", "father") answer for it.
    if (!STOPWORDS.has(w) && !TIME.test(w) && (!lx || (topicWeight(lx, w) >= NAMED_THING_WEIGHT && !kinWord(lx, w)))) out.add(queryForm(w));
  }
  return out;
}


/**
 * Whether a memory answers only the names a question asks about ("Hamish"), none of its other words,
 * or those only by a broader, related or defining word: it is about the one named, not about what was asked.
 */
function onlyNamesAnswered(matches: MemoryMatch[], names: Set<string>): boolean {
  let named = false;
  for (const m of matches) {
    if (!answering(m)) continue;
    if (names.has(m.query)) named = true;
    else if (m.relation !== 'definition' && m.weight >= FULL_ANSWER_MATCH) return false;
  }
  return named;
}

/** What a question asks of a named owner ("When is Kat's birthday?": kat, birthday). */
function ownedAsked(query: string, names: Set<string>): { owner: string; thing: string }[] {
  const out: { owner: string; thing: string }[] = [];
  for (const m of query.matchAll(/\b([A-Za-z]+)(?:'s|’s|'|’)\s+(?=([A-Za-z]+))/g)) {
    const owner = queryForm(m[1].toLowerCase());
    if (names.has(owner) && !STOPWORDS.has(m[2].toLowerCase())) out.push({ owner, thing: queryForm(m[2].toLowerCase()) });
  }
  return out;
}

/** Whether a memory says whose the thing asked about is, and it is someone else's ("Zain's birthday", "my birthday" for Kat's). */
function someoneElses(h: MemoryHit, owned: { owner: string; thing: string }[]): boolean {
  const text = h.memory.text;
  const own = new Set(words(text).map(termOf));
  return owned.some(({ owner, thing }) => {
    if (own.has(termOf(owner))) return false;
    const as = new Set([termOf(thing), ...h.explain.matches.filter((m) => answering(m) && m.query === thing).map((m) => termOf(m.word))]);
    for (const m of text.matchAll(/\b([A-Za-z]+)(?:'s|’s|'|’)?\s+(?=([A-Za-z]+))/g)) {
      const other = m[1].toLowerCase();
      const possessive = m[0].includes("'") || m[0].includes('’') ? true : /^(my|our)$/.test(other);
      if (possessive && as.has(termOf(m[2].toLowerCase()))) return true;
    }
    return false;
  });
}

/**
 * The words of what a question asks about (`askedThing`) that say which thing it is, and that a
 * memory answering the question must answer itself: all but the head, which says what about the
 * thing is asked and which a note often leaves to the value it gives ("hangboard: 7s on, 3s off"
 * answers "what's my hangboard routine?", "mom bday nov 9" "when is mom's birthday?"), and of those
 * only the words English uses for few things (topic weight `SPECIFIC_THING_WORD`: "shoe",
 * "cholesterol", "mobile", "staff", not "job", "home" or "number"). "What's Ruby's shoe size?" needs
 * ruby and shoe: "Ruby's teacher is Mr Costa" and "Kia tyre size 225/60 R17" are about other things.
 * Each needed word comes with the query words that answer it: itself, and the one word it makes
 * with the word before or after it, as a memory may write them ("e-bike" by ebike, "wi-fi" by wifi).
 * The owner ("lucy's", "the kids'") is answered by no mere neighbour in meaning: the word vectors'
 * neighbours of a name are other names ("lucy": lily, "mrs"), someone else's thing.
 * A question asking when something is done or for how long (`ASKS_WHEN`) needs the verb saying what
 * is done too ("when was the boiler last serviced?" is not answered by "boiler lost pressure, top it up"),
 * unless English uses it for all sorts of doing (`SPECIFIC_VERB`: "when is the team meeting held?",
 * "when is the rent paid?"), and its head as well: there the verb and "when" say what is asked, the
 * head which thing ("car serviced in May" is no answer about the boiler). So does any question whose
 * verb says what was done to the thing ("where was the boiler serviced?", "where are the tyres
 * stored?": "bikes stored in the shed" is about other things), but not one whose verb English uses
 * for all sorts of things ("what is the guest wifi network called?": a note gives the name).
 * Empty without WordNet, which weighs the words.
 */
function thingWords(query: string): { ways: string[]; near: boolean }[] {
  const lx = lexiconIfLoaded();
  const thing = lx ? askedThing(query, (w) => verbOnly(lx, w), (w) => adverbOnly(lx, w)) : null;
  if (!lx || !thing) return [];
  const head = queryForm(thing.head);
  const owners = new Set([...query.matchAll(/([\p{L}\p{N}]+)['’]s?(?![\p{L}\p{N}])/gu)].map((m) => queryForm(words(m[1])[0] ?? '')));
  const done = ASKS_WHEN.test(query) ? thing.verb : undefined;
  const specificVerb = thing.verb !== undefined && topicWeight(lx, thing.verb) >= SPECIFIC_VERB;
  const headNamesThing = done !== undefined || specificVerb;
  const out = new Map<string, { ways: string[]; near: boolean }>();
  thing.words.forEach((word, i) => {
    const w = queryForm(word);
    if ((w === head && !headNamesThing) || STOPWORDS.has(w) || topicWeight(lx, w) < SPECIFIC_THING_WORD) return;
    const needed = out.get(w) ?? { ways: [w], near: !owners.has(w) };
    if (i > 0) needed.ways.push(thing.words[i - 1] + word);
    if (i + 1 < thing.words.length) needed.ways.push(word + thing.words[i + 1]);
    out.set(w, needed);
  });
  if (done && specificVerb) out.set('', { ways: [queryForm(done)], near: false });
  return [...out.values()];
}
const SPECIFIC_THING_WORD = 0.65;
/** The topic weight of a verb that says what was done ("serviced", "renewed", "collected"); English uses "held", "done", "paid" or "built" for all sorts of doing. */
const SPECIFIC_VERB = 0.5;
/** Questions asking when something happens or for how long ("what time …?" is not read as asking about a thing, `askedThing`). */
const ASKS_WHEN = /^\s*(when|how long)\b/i;
/** Whether WordNet reads a word as a verb and never as a noun ("called", "stored", "renew"; not "set" or "married"). */
function verbOnly(lx: Lexicon, word: string): boolean {
  const forms = lx.baseForms(word);
  return forms.some((f) => f.pos === POS_CODES.v) && !forms.some((f) => f.pos === POS_CODES.n);
}
/** Whether WordNet reads a word only as an adverb ("again", "currently", "exactly"; not "now", "home" or "still"). */
function adverbOnly(lx: Lexicon, word: string): boolean {
  const forms = lx.baseForms(word);
  return forms.length > 0 && forms.every((f) => f.pos === POS_CODES.r);
}

/**
 * Whether a memory's matches answer every one of `needed`, each by one of its query words: by the
 * word, a dictionary relation (a synonym, narrower, broader or related word; a definition word is a
 * hint, not the thing) or, unless it is the owner (`near` false), a word close in meaning
 * ("financing" by loan).
 */
function answersAll(matches: MemoryMatch[], needed: { ways: string[]; near: boolean }[]): boolean {
  return needed.every(({ ways, near }) =>
    matches.some((m) => ways.includes(m.query) && ((near && m.relation === 'similar') || (answering(m) && m.relation !== 'definition' && m.weight >= CONFIDENT_MATCH))),
  );
}

/** Feedback words and word-vector neighbours rank memories but answer nothing that was asked. */
function answering(m: MemoryMatch): boolean {
  return m.relation !== 'feedback' && m.relation !== 'similar';
}

/** Top hits looked at for a joint answer, the share each answers at least, and the share they answer together. */
const JOINT_WINDOW = 10;
const PART_SHARE = 0.25;
const JOINT_SHARE = 0.8;

function bestPerQueryWord(matches: MemoryMatch[]): MemoryMatch[] {
  const best = new Map<string, MemoryMatch>();
  for (const m of matches) if (answering(m) && m.weight > (best.get(m.query)?.weight ?? -1)) best.set(m.query, m);
  return [...best.values()];
}

/** The share of the query a memory's matches answer; `clauses`: how many questions of its own the query asks. */
type Answered = ((matches: MemoryMatch[], whole?: boolean) => number) & { clauses: number };

/**
 * The share of what the query asks that a memory's matches answer: each query word weighs its IDF
 * (a word no memory contains weighs as much as one a single memory contains) times its topic weight,
 * and counts by its match (a synonym, narrower or related word fully, a definition word in part);
 * feedback words answer nothing, and one memory word answers one query word ("blood" does not also
 * answer "blood type"). A message asking several things ("who is my dentist, and how do I …?") is
 * answered by a memory that answers one of its clauses; a request ("find …, …, …") asks one thing. The words a question of one clause asks for
 * a kind of value with ("how often", "how old", "what percent") count nothing: no memory says "often",
 * and its text is checked for that kind of value instead (`valueAskedFor`). "Where does my dad live?"
 * matched only by "dad" is half answered; a question about something the memories never mention stays low.
 */
function answeredShare(lexical: LexicalIndex, groups: QueryGroup[], query: string): Answered {
  const weights = new Map(groups.map((g) => [g.query, g.weight * lexical.idf(stem(g.query), 1)]));
  // "How often …", "what percent …": the value's kind is checked in the answer's text (`valueAskedFor`); no memory says "often",
  // nor "long ago", the phrase WordNet makes of two of its words.
  const asksValue = valueAskedFor(query) ? VALUE_PHRASE.exec(query.trim()) : null;
  if (asksValue) {
    const phrase = new Set(words(asksValue[0]).map(queryForm));
    for (const k of [...weights.keys()]) if (k.split('_').every((part) => phrase.has(part))) weights.delete(k);
  }
  const sum = (keys: Iterable<string>) => {
    let t = 0;
    for (const k of keys) t += weights.get(k) ?? 0;
    return t;
  };
  const total = sum(weights.keys());
  const clauses = query
    .split(/[?.!;,]+/)
    // Query words are asked in their base form ("knives" is knife).
    .map((c) => new Set([...words(c), ...tokens(c)]))
    .map((ws) => new Set([...weights.keys()].filter((k) => k.split('_').every((part) => ws.has(part)))))
    .filter((keys) => keys.size && sum(keys) >= CLAUSE_SHARE * total);
  // A request asks for one thing, however many commas describe it ("find a gym near the office, nothing fancy, open weekdays").
  const parts = clauses.length > 1 && !REQUEST_START.test(query) ? clauses : [new Set(weights.keys())];
  const share = (matches: MemoryMatch[], whole = false) => {
    if (!total) return 0;
    let best = 0;
    for (const keys of whole ? [new Set(weights.keys())] : parts) {
      // Each memory word answers the query word it counts most for.
      const byWord = new Map<string, { query: string; value: number }>();
      for (const m of matches) {
        if (!answering(m) || !keys.has(m.query)) continue;
        const value = (weights.get(m.query) ?? 0) * Math.min(1, m.weight / FULL_ANSWER_MATCH);
        if (value > (byWord.get(m.word)?.value ?? 0)) byWord.set(m.word, { query: m.query, value });
      }
      const perQuery = new Map<string, number>();
      for (const { query: q, value } of byWord.values()) perQuery.set(q, Math.max(perQuery.get(q) ?? 0, value));
      let covered = 0;
      for (const v of perQuery.values()) covered += v;
      best = Math.max(best, covered / sum(keys));
    }
    return best;
  };
  return Object.assign(share, { clauses: parts.length });
}
/** A clause weighing less than this share of the whole query ("where do they live") is no question of its own. */
const CLAUSE_SHARE = 0.2;
/** A match of this weight or more (a broader term and up) answers its query word fully. */
const FULL_ANSWER_MATCH = 0.5;

/**
 * How much a memory's matches cover, measured against the query's weightiest word: each query word
 * weighs its IDF (a word no memory contains weighs the most) times its topic weight, and counts by
 * its match's weight; 1 or more means the weightiest word (or as much weight in others) is answered.
 * It gates pseudo-relevance feedback, the confidence of a hit answering part of a query, and
 * whether a newer memory answers the query as fully as an older one.
 */
function weightiestWordCoverage(lexical: LexicalIndex, groups: QueryGroup[]): (matches: MemoryMatch[]) => number {
  // A word no memory contains weighs as much as one a single memory contains: it is what a question
  // without an answer asks about, but one incidental word must not outweigh the rest.
  const weights = new Map(groups.map((g) => [g.query, g.weight * lexical.idf(stem(g.query), 1)]));
  // Against the weightiest word, not the sum: a question about two things is answered by a memory about one.
  const total = Math.max(0, ...weights.values());
  return (matches) => {
    if (!total) return 0;
    let covered = 0;
    // A definition or feedback word alone is a hint, not an answer to what was asked.
    for (const m of matches) if (answering(m) && m.weight >= CONFIDENT_MATCH) covered += (weights.get(m.query) ?? 0) * Math.min(1, m.weight / (2 * CONFIDENT_MATCH));
    return covered / total;
  };
}

/**
 * Newer facts outrank the older facts they replace, even when nobody linked them at write time
 * (imports, or wording too different for the write-time check). Among the top hits, a newer memory
 * of the same area replaces an older one about the same topic (two specific words shared, or one the
 * query asks about) when it answers the query at least as fully; or when it says the fact changed
 * ("now", "moved", "switched", "swapped", "ditched", "taking over") and shares two specific words with it
 * (or one asked about, with a close meaning) or shares one and restates most of its topic in more than that one word
 * (`restatesMost`: "stopped the nest contributions, everything goes into a sipp now" for "paying £150 a month into nest
 * for the pension", not "renewed my passport photo" for "passport number 512345678");
 * or when only a value differs; or when it restates most of the older one's topic and answers the query as
 * fully or shares two specific words with it; or when it says a thing the older one names changed and
 * is about the same attribute (`changedThing` with `sameAttribute`; then only when the older one stays
 * within the top `limit`, counting every hit above it). The newer one is lifted to the older one's
 * place (`updateBoost`) and the older one drops below it (`supersededPenalty`, `replacedBy`); when
 * only the thing tells, the newer one goes just above the older one, which keeps its score and moves
 * down one place per such update.
 */
function orderKnowledgeUpdates(
  top: MemoryHit[],
  ranksAbove: (hit: MemoryHit) => number,
  asked: Set<string>,
  coverage: (hit: MemoryHit) => number,
  specific: (word: string) => boolean,
  idf: (stem: string) => number,
  vectorOf: (id: string) => Float32Array | null,
  queryWeight: (queryWord: string) => number,
  cosineOf: (a: Float32Array, b: Float32Array) => number,
  named: (stem: string) => boolean,
  about: SameAttribute,
  lifted: Map<MemoryHit, Update>,
  limit: number,
): void {
  // What a hit is about as the query asks it: the weightiest query word it answers (a definition or feedback word is only a hint).
  const answers = (m: MemoryMatch) => answering(m) && m.relation !== 'definition';
  const subjectOf = (h: MemoryHit) => {
    let best: string | null = null;
    for (const m of h.explain.matches) if (answers(m) && (best === null || queryWeight(m.query) > queryWeight(best))) best = m.query;
    return best;
  };
  const sameSubject = (subject: string, newer: MemoryHit) => newer.explain.matches.some((m) => m.query === subject && answers(m));
  const vectors = new Map(top.map((h) => [h.memory.id, vectorOf(h.memory.id)]));
  const topics = new Map<MemoryHit, Set<string>>();
  const topicOf = (h: MemoryHit) => {
    let t = topics.get(h);
    if (!t) topics.set(h, (t = topicStems(h.memory.text)));
    return t;
  };
  const newestFirst = [...top].sort((a, b) => b.memory.createdAt - a.memory.createdAt);
  for (const newer of newestFirst) {
    const cue = CHANGE_CUES.exec(newer.memory.text)?.[0].toLowerCase() ?? null;
    for (const older of top) {
      if (older === newer || older.memory.area !== newer.memory.area || older.memory.createdAt >= newer.memory.createdAt) continue;
      if (older.score < newer.score) continue;
      const a = vectors.get(newer.memory.id);
      const b = vectors.get(older.memory.id);
      const cosine = a && b ? cosineOf(a, b) : 0;
      const shared = sharedTopic(newer.memory.text, older.memory.text, asked, specific);
      const topic = shared.count >= 2 || shared.asked || abbreviatedAlike(newer, older);
      const answersAsWell = coverage(newer) > 0 && coverage(newer) >= coverage(older) - 1e-9;
      const changed = changeWord(newer.memory.text);
      const subject = subjectOf(older);
      const thing = changedThing(newer.memory.text, older.memory.text, named, about);
      let again: Restated | undefined;
      const restatedHere = () => (again ??= restated(topicOf(older), topicOf(newer), idf));
      const because: string | null =
        topic && answersAsWell
          ? 'it is about the same topic and answers the question as fully'
          : cue && (shared.count >= 2 || (shared.asked && cosine >= REPLACEMENT_SIMILARITY) || (shared.count >= 1 && restatesMost(restatedHere())))
            ? `it says the fact changed ("${cue}")`
            : changed && shared.count >= 1 && subject && sameSubject(subject, newer) && coverage(newer) >= SUBJECT_COVERAGE * coverage(older)
              ? `it says "${changed}" about the same subject ("${subject}")`
              : a && b && relate(newer.memory.text, older.memory.text, cosine) === 'conflict'
                ? 'only a value differs'
                : // Restating most of the older one is about the same attribute only if the query agrees, or more than a name is shared.
                  (answersAsWell || shared.count >= 2) && restatedHere().share >= RESTATED
                  ? 'it states the same thing anew with another value'
                  : thing;
      if (!because) continue;
      // Only the thing tells: the older one keeps its place among the results asked for.
      // Counted over all hits: a memory brought in from further down may already stand above it.
      if (because === thing && ranksAbove(older) + 1 >= limit) continue;
      // News about the thing goes right above the older one, which moves down one place and no more.
      const boost = (because === thing ? older.score * JUST_ABOVE : older.score) / newer.score;
      newer.score *= boost;
      newer.explain.updateBoost *= boost;
      newer.explain.replaces ??= older.memory.id;
      if (!lifted.has(newer)) lifted.set(newer, { older, inherits: because !== thing });
      if (because !== thing) dropBelow(older, newer);
      if (!older.explain.replacedBy) {
        older.explain.replacedBy = newer.memory.id;
        older.explain.replacedBecause = because;
      }
    }
  }
}

const REPLACEMENT_SIMILARITY = 0.28;
/** A memory another one replaces drops to this share of the newer one's score, just below it. */
const BELOW_REPLACEMENT = 0.95;
/** Puts an older memory just below the newer one that replaces it, and says so in its explanation. */
function dropBelow(older: MemoryHit, newer: MemoryHit): void {
  older.score = newer.score * BELOW_REPLACEMENT;
  older.explain.supersededPenalty *= BELOW_REPLACEMENT;
}
/** An update that only says a thing changed scores this much above the memory it updates: right above it, nothing else passed. */
const JUST_ABOVE = 1 + 1e-9;
const SUBJECT_COVERAGE = 0.6;
/** Share of an older memory's words (by rarity, values left out) a newer one repeats when it states the same attribute anew. */
const RESTATED = 0.4;

/** A memory's topic words as stems: numbers are values, not the subject ("title: software engineer ii, band 3"). */
function topicStems(text: string): Set<string> {
  return new Set(contentWords(text).filter((w) => !/\d/.test(w)).map(termOf));
}

type Restated = { share: number; words: number };
/**
 * How much of what an older memory is about a newer one says again (`share`): the older one's topic words
 * (`topicStems`), each weighing its IDF, that the newer one uses too; numbers count on neither side
 * ("title: software engineer ii, band 3" → "promo: senior software engineer, band 4").
 * `words`: how many of them it uses.
 */
function restated(mine: Set<string>, theirs: Set<string>, idf: (stem: string) => number): Restated {
  let all = 0;
  let shared = 0;
  let words = 0;
  for (const s of mine) {
    all += idf(s);
    if (theirs.has(s)) {
      shared += idf(s);
      words++;
    }
  }
  return { share: all ? shared / all : 0, words };
}

/**
 * Whether a newer memory that shares one specific word with an older one says most of it again: one
 * word is no restatement, however much of a short memory it weighs ("allotment plot 14b" is not
 * restated by "upped the allotment watering").
 */
function restatesMost(r: Restated): boolean {
  return r.share >= RESTATED && r.words >= 2;
}
/** Weakest match that counts towards confidence (below it: definitions and feedback). */
const CONFIDENT_MATCH = 0.4;
/** A word found in at most this share of all memories names a topic; commoner ones are phrasing ("problem", "fix"). */
const SPECIFIC_SHARE = 0.05;
/**
 * An amount a rise or fall is said in: money ("$200", "GBP 40k", "Rs 500", "50 quid"), a share ("3%",
 * "8 per cent", "five percent") or a rate ("200 a month", "9 per hour", "12/hr"); no ordinal ("2nd floor"),
 * no name ("7-Eleven"), no bare number ("up to 12" is a floor as often as an amount).
 */
const AMOUNT = `([${CURRENCY_SIGNS}]\\s?\\d|(${CURRENCY_CODES}|kr|zł)\\.?\\s?\\d|rs(\\.\\s?|\\s)\\d|(\\d[\\d,.]*|(${NUMBER_WORDS}))\\s?(%|per ?cents?\\b|percent\\b|(${CURRENCY_WORDS}|${CURRENCY_CODES}|k|mn|bn|million|billion|thousand)\\b|(a|an|per|each)\\s+(month|week|year|day|night|term|hour|head|person|kg|litre|liter)\\b|/\\s?[a-z]))`;
/** How far it went: "another", "about", "just over"…: */
const ROUGHLY = '(another|a further|an extra|(just |a bit |a little )?(over|under)|roughly|about|around|nearly|almost|some|only)\\s+';
/**
 * "$200", "to $2,780", "by 8%", "another $50", "by 200": the amount a rise or fall is, goes to, by or
 * from; after "by" a bare number or number word is one too ("went up by 200", "by five"), not an ordinal
 * or a name ("by 2nd", "by 7-Eleven").
 */
const TO_AMOUNT = `(?=\\s+((to|from|by)\\s+)?(${ROUGHLY})?${AMOUNT}|\\s+by\\s+(${ROUGHLY})?(\\d[\\d,.]*(?![\\da-z-])|(${NUMBER_WORDS})\\b(?!-)))`;
/**
 * Taking a thing on ("Kirsty is taking over the day sheets", "Octopus took over the electric"), not how
 * long something took ("the 22 took over an hour", "takes over 3 hours on eco", "took over ten minutes").
 */
const TAKEN_OVER = `(took|taking|takes|taken) over(?!\\s+(half\\s+)?(an?|\\d[\\d.,]*|${NUMBER_WORDS})\\s+(\\w+\\s+)?(secs?|seconds?|mins?|minutes?|hours?|hrs?|days?|nights?|weeks?|months?|years?|fortnight)\\b)`;
/**
 * Giving a thing up ("Gav's packed in teaching", "packed it in"), not putting things in ("packed in extra
 * fruit", "tent packed in the car boot").
 */
const PACKED_IN = `(?<=\\b(has|have|had|'s|’s|'ve|’ve)\\s)packed in|(packed|packing) it in`;
/**
 * A swap, an end or a value changed by a factor ("swapped", "ditched", "renewed", "upped", "doubled",
 * "halved"), someone else taking over, giving up: words that say a fact changed (`CHANGE_CUES`) and
 * mark the thing that changed (`CHANGE_MARKS`).
 */
const SWAPS_AND_ENDS = `swapped|ditched|upped|doubled|halved|renewed|${TAKEN_OVER}|${PACKED_IN}|(gave|given|giving) up`;
/**
 * Words that say a fact changed: a new value ("now", "instead", "since"), a swap or an end ("swapped",
 * "ditched", "renewed"; not "stopped", which as often tells a problem), someone else taking over, having gone back to an
 * earlier value (not "went back" or "going back", which as often tell a visit: "went back to the studio for the Monday
 * session"), a value upped, doubled or halved. Going up or down, or rising, says so only with an amount ("our
 * rent goes up to $2,780", "rates rose by 8%", "rent went up $200 a month", "prices rose 3%"), not on the
 * way somewhere ("we go down to Brighton", "went down to 7-Eleven", "the lift goes up to 12") or as a name or a flower ("Rose from book club", "a climbing rose").
 */
const CHANGE_CUES = new RegExp(
  `\\b(now|moved|switched|changed|replaced|sold|since|no longer|anymore|instead|new|became|nowadays|currently|${SWAPS_AND_ENDS}|(gone|switched|changed) back|(goes|went|gone|going|go) (up|down)${TO_AMOUNT}|(rose|risen)${TO_AMOUNT})\\b`,
  'i',
);

/** Verbs that say an attribute of something changed ("maya started at …", "switched pt to jonah"); "now" and "new" alone are too common to say so. */
const CHANGE_VERBS = /\b(moved|switched|changed|replaced|no longer|started|quit|left|joined|cancell?ed|stopped|became)\b/i;
function changeWord(text: string): string | null {
  return CHANGE_VERBS.exec(text)?.[0].toLowerCase() ?? null;
}

/** Whether one memory answers a word of the query by its abbreviation or expansion and the other by the word itself ("my nurse unit manager …", "NUM on 6B …" for "who's my NUM?"). */
function abbreviatedAlike(a: MemoryHit, b: MemoryHit): boolean {
  const by = (h: MemoryHit, relation: MemoryMatch['relation']) => new Set(h.explain.matches.filter((m) => m.relation === relation).map((m) => m.query));
  const [aShort, bShort] = [by(a, 'abbreviation'), by(b, 'abbreviation')];
  const [aWord, bWord] = [by(a, 'word'), by(b, 'word')];
  return [...aShort].some((q) => bWord.has(q) || bShort.has(q)) || [...bShort].some((q) => aWord.has(q));
}

// Words most memories use say nothing about the topic, and one shared word can be a coincidence
// ("runs out of memory" and "run source") unless the user asked about it.
function sharedTopic(a: string, b: string, asked: Set<string>, specific: (word: string) => boolean): { count: number; asked: boolean } {
  const stems = new Set(contentWords(a).map(stem));
  const shared = new Set(contentWords(b).filter((w) => stems.has(stem(w)) && specific(w)).map(stem));
  return { count: shared.size, asked: [...shared].some((s) => asked.has(s)) };
}

/**
 * A word naming one thing (a gym, a car, a person): at most `NAMED_THING_DF` memories use it, and
 * English rarely does (`NAMED_THING_WEIGHT`: "crux", "civic", "standup", "aeropress", not "free" or
 * "book", which a few memories may share by chance).
 */
const NAMED_THING_DF = 4;
const NAMED_THING_WEIGHT = 0.75;
export function namedThing(lexical: LexicalIndex): (stem: string) => boolean {
  const lx = lexiconIfLoaded();
  return (s) => !/\d/.test(s) && lexical.df(s) >= 2 && lexical.df(s) <= NAMED_THING_DF && (!lx || topicWeight(lx, lexical.surfaceOf(s)) >= NAMED_THING_WEIGHT);
}

/**
 * Words that say something changed: a verb whose subject or object is the thing that changed
 * ("standup moved to 10:15", "cancelled the crux", "switched pt to jonah", "ditched EE", "Kirsty is
 * taking over advancing", "a DiGiCo instead of the dLive"), and "now", "no longer",
 * "anymore" after the thing ("the aeropress lives at the office now").
 */
const CHANGE_MARKS = new RegExp(
  `\\b(moved|switched|changed|replaced|started|quit|left|joined|cancell?ed|stopped|became|sold|retired|ended|closed|upgraded|instead|${SWAPS_AND_ENDS}|gone back to|now|no longer|anymore|nowadays)\\b`,
  'gi',
);
/** Words that end a verb's object: what follows is the new value or a circumstance ("switched pt to jonah"). */
const OBJECT_ENDS = new Set('to from for at in on with into by over because after since as and but so then than when while via w'.split(' '));
/** Words of a subject or object looked at, nearest first. */
const THING_WORDS = 4;

/**
 * Characters either side of a change word read for its subject and object: many times what
 * `THING_WORDS` words take, so a long run-on clause saying many times that things changed is read
 * in time that grows with its length, not with its square.
 */
const THING_REACH = 400;
/** The words of `text` (part of a clause), less the first when `cutBefore` and the last when `cutAfter`, which may be cut short. */
function wholeWords(text: string, cutBefore: boolean, cutAfter: boolean): string[] {
  const ws = words(text);
  return ws.slice(cutBefore ? 1 : 0, cutAfter ? -1 : ws.length);
}

/** The stems of what a memory says changed, by the word that says so. */
function changedThings(text: string): { mark: string; stems: Set<string> }[] {
  const out: { mark: string; stems: Set<string> }[] = [];
  for (const clause of text.split(/[.,;:!?()[\]{}\u2013\u2014]|->|=>|\s-\s|\band\b|\bbut\b/i)) {
    for (const m of clause.matchAll(CHANGE_MARKS)) {
      const mark = m[0].toLowerCase();
      const from = Math.max(0, m.index - THING_REACH);
      const things = wholeWords(clause.slice(from, m.index), from > 0, false)
        .filter((w) => !STOPWORDS.has(w))
        .slice(-THING_WORDS);
      if (!/^(now|no longer|anymore|nowadays)$/.test(mark)) {
        const object: string[] = [];
        const after = m.index + m[0].length;
        for (const w of wholeWords(clause.slice(after, after + THING_REACH), false, after + THING_REACH < clause.length)) {
          if (OBJECT_ENDS.has(w) || object.length >= THING_WORDS) break;
          if (!STOPWORDS.has(w)) object.push(w);
        }
        things.push(...object);
      }
      const stems = new Set(things.filter((w) => !/\d/.test(w)).map(termOf));
      if (stems.size) out.push({ mark, stems });
    }
  }
  return out;
}

/** Marks saying the thing began something, which says nothing about what it was. */
const BEGINS = /^(started|joined|became)$/;
/** `mark`: the word saying the thing changed ("moved", "now"). */
export type SameAttribute = (newer: string, older: string, thing: string, mark: string) => boolean;
export interface Update {
  older: MemoryHit;
  /** Whether the newer memory answers the query as confidently as the older one does. */
  inherits: boolean;
}

/**
 * Whether a newer memory naming the same thing as an older one (a person, a gym) is about the same
 * attribute of it: besides the thing, it uses a word of the query or shares a specific word that is no
 * name with the older one; or the thing is the older one's value (neither asked about nor the word the older one
 * begins with) and the newer one says it ended or moved rather than that it began something ("the
 * aeropress lives at the office now" for "how do I make my coffee?", answered by "coffee: aeropress
 * inverted"). "Priya started swimming lessons" says nothing about "Priya's favourite food is green
 * curry"; "Priya's favourite food is now pad thai" does.
 */
export function sameAttribute(asked: Set<string>, specific: (word: string) => boolean, named: (stem: string) => boolean): SameAttribute {
  return (newer, older, thing, mark) => {
    const olderWords = contentWords(older);
    // A name ("My sister Priya loves green curry") is whom the older one is about, never its value;
    // a place or thing named with an article can be ("climbing gym: the Crux").
    const name = [...namesAsked(older)].some((n) => termOf(n) === thing && bareName(older, n));
    if (!asked.has(thing) && !BEGINS.test(mark) && !name && olderWords.length && termOf(olderWords[0]) !== thing) return true;
    const theirs = new Set(olderWords.map(termOf));
    for (const w of contentWords(newer)) {
      const t = termOf(w);
      if (t === thing) continue;
      // Another name ("Dr Okafor") is the same thing again, not an attribute of it.
      if (asked.has(t) || (theirs.has(t) && specific(w) && !named(t))) return true;
    }
    return false;
  };
}

/** Whether a text writes a name (`namesAsked`) somewhere without an article before it ("Priya", not "the Crux"). */
function bareName(text: string, name: string): boolean {
  for (const m of text.matchAll(/(\S+\s+)?\b([A-Z][a-z]+)\b/g)) {
    if (queryForm(m[2].toLowerCase()) === name && !/^(the|a|an)\s/i.test(m[1] ?? '')) return true;
  }
  return false;
}

/**
 * Why a newer memory updates an older one when it says that the thing the older one is about
 * changed ("cancelled the crux, joined summit co-op" updates "climbing gym: the crux"): the thing is
 * a word few memories use (`named`) and among the older one's first words, where a note names its
 * subject (not "no campus board until the shoulder heals (pt's rule)" for "switched pt to jonah").
 * With `about`, the newer one must also be about the same attribute of that thing (see `sameAttribute`).
 * Null when it does not.
 */
export function changedThing(newer: string, older: string, named: (stem: string) => boolean, about?: SameAttribute): string | null {
  const theirs = new Set(
    contentWords(older)
      .filter((w) => !/\d/.test(w))
      .slice(0, THING_WORDS)
      .map(termOf),
  );
  for (const { mark, stems } of changedThings(newer)) {
    for (const s of stems) if (theirs.has(s) && named(s) && (!about || about(newer, older, s, mark))) return `it says "${mark}" about "${s}", which this one names`;
  }
  return null;
}

/**
 * Memories the query's words do not find (or find too far down) but that update one it finds: a
 * newer memory of the same area saying that a thing the found one names changed (`changedThing`),
 * about the same attribute (`sameAttribute`), or one saved as its replacement. Each joins the results
 * right above the memory it updates; only a saved replacement may push that one out of the top `limit`.
 * Returns the memories brought in or lifted, with the one each updates and whether it answers as that one does.
 */
function bringInUpdates(
  hits: MemoryHit[],
  rowOf: Map<string, MemoryRow>,
  toHit: (row: MemoryRow) => MemoryHit,
  options: SearchOptions,
  deps: { queries: MemoryQueries; lexical: LexicalIndex },
  named: (stem: string) => boolean,
  about: SameAttribute,
): Map<MemoryHit, Update> {
  const out = new Map<MemoryHit, Update>();
  const top = hits.slice(0, options.limit);
  // Candidates: the other memories that use a named thing of a top hit, and saved replacements.
  const candidates = new Set<number>();
  for (const h of top) {
    const row = rowOf.get(h.memory.id)!;
    for (const s of deps.lexical.termsOf(row.rowid)?.keys() ?? []) if (named(s)) for (const r of deps.lexical.memoriesWith(s)) if (r !== row.rowid) candidates.add(r);
  }
  const known = new Set([...rowOf.values()].map((r) => r.rowid));
  const fetched = deps.queries.getMany([...candidates].filter((r) => !known.has(r)));
  for (const r of fetched) rowOf.set(r.id, r);
  const replacements = top.map((h) => rowOf.get(h.memory.id)!.superseded_by).filter((id): id is string => id !== null && !rowOf.has(id));
  for (const id of replacements) {
    const row = deps.queries.get(id);
    if (row) rowOf.set(row.id, row);
  }
  const rank = new Map(hits.map((h, i) => [h.memory.id, i]));
  const byRowid = new Map([...rowOf.values()].map((r) => [r.rowid, r]));
  // Memories brought in so far, each above one of the top hits: they push the rest down.
  let above = 0;
  for (const [i, older] of top.entries()) {
    const oldRow = rowOf.get(older.memory.id)!;
    const own = new Set<number>();
    for (const s of deps.lexical.termsOf(oldRow.rowid)?.keys() ?? []) if (named(s)) for (const r of deps.lexical.memoriesWith(s)) own.add(r);
    if (oldRow.superseded_by) own.add(rowOf.get(oldRow.superseded_by)?.rowid ?? -1);
    let best: { row: MemoryRow; because: string; saved: boolean } | null = null;
    for (const rowid of own) {
      const row = byRowid.get(rowid);
      if (!row || row.rowid === oldRow.rowid || row.area !== oldRow.area || row.created_at <= oldRow.created_at) continue;
      if (options.pinned !== undefined && (row.pinned === 1) !== options.pinned) continue;
      const saved = row.id === oldRow.superseded_by;
      const because = saved ? 'it was saved later as a fact that contradicts this one' : changedThing(row.text, oldRow.text, named, about);
      // The newest update wins.
      if (because && (!best || row.created_at > best.row.created_at)) best = { row, because, saved };
    }
    if (!best) continue;
    const at = rank.get(best.row.id);
    // Already above the memory it updates, or among the results where ordering the top hits handles it.
    if (at !== undefined && at < options.limit) continue;
    // Without a saved replacement the evidence is weaker: the memory it updates stays among the results.
    if (!best.saved && i + above + 1 >= options.limit) continue;
    above++;
    let newer = at !== undefined ? hits[at] : undefined;
    if (!newer) {
      newer = toHit(best.row);
      hits.push(newer);
      rank.set(newer.memory.id, hits.length - 1);
    }
    // A saved replacement takes the older one's place and pushes it down; news about a thing it names
    // goes right above it, so it moves down one place and stays among the results.
    const score = best.saved ? older.score : older.score * JUST_ABOVE;
    newer.explain.updateBoost = newer.score > 0 ? score / newer.score : 1;
    newer.score = score;
    newer.explain.replaces = older.memory.id;
    if (best.saved) dropBelow(older, newer);
    if (!older.explain.replacedBy || older.explain.replacedBy === newer.memory.id) {
      older.explain.replacedBy = newer.memory.id;
      older.explain.replacedBecause = best.because;
    }
    out.set(newer, { older, inherits: best.saved });
  }
  return out;
}

/** Plain-JS exact scan of vectors, the yardstick the vec0 index is benchmarked against. */
export function bruteForceTopK(vectors: Float32Array[], query: Float32Array, k: number): number[] {
  const scored = vectors.map((v, i) => [dot(v, query), i] as const);
  scored.sort((a, b) => b[0] - a[0]);
  return scored.slice(0, k).map((s) => s[1]);
}

export type { MemoryRow };
