import { stemmer } from 'stemmer';

/**
 * The form two memories are compared in for exact duplicates: Unicode-compatibility folded, accents
 * dropped, lower case, punctuation removed, whitespace collapsed.
 */
export function normalizeForDedup(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** Lower-case words (letters and digits), accents dropped. */
export function words(text: string): string[] {
  let ws = wordsCache.get(text);
  if (!ws) {
    ws = normalizeForDedup(text).split(' ').filter(Boolean);
    // A search compares the same few dozen memories many times; the cache only needs to outlive it.
    if (wordsCache.size >= WORDS_CACHE) wordsCache.clear();
    wordsCache.set(text, ws);
  }
  return [...ws];
}
const wordsCache = new Map<string, string[]>();
const WORDS_CACHE = 4096;

// Function words that carry no topic; kept out of lexical queries and features.
export const STOPWORDS = new Set(
  (
    'a an and are as at be been being but by can could did do does doing for from had has have having he her hers him his how i if in ' +
    'into is it its itself me my myself no nor not of off on once only or our ours ourselves out over own same she should so some such ' +
    'than that the their theirs them themselves then there these they this those through to too under until up very was we were what ' +
    'when where which while who whom why will with would you your yours yourself yourselves am also just now any each few more most ' +
    'other all both about again further here s t don doesn didn isn wasn aren re ve ll d m o y let lets get got must might shall during hello hi hey thanks thank please ok okay yes bye'
  ).split(' '),
);

/** Topic words of a text: stopwords removed. */
export function contentWords(text: string): string[] {
  return words(text).filter((w) => !STOPWORDS.has(w));
}

const stemCache = new Map<string, string>();
/** Porter stem, cached (texts repeat words a lot). */
export function stem(word: string): string {
  let s = stemCache.get(word);
  if (s === undefined) {
    s = stemmer(word);
    if (stemCache.size > 200_000) stemCache.clear();
    stemCache.set(word, s);
  }
  return s;
}

/** 32-bit FNV-1a. */
export function fnv1a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

/**
 * [start, end) ranges of words in `text` whose stem (by `term`) is one of `stems`, for highlighting
 * a search result the way the full-text index matched it.
 */
export function highlightRanges(text: string, stems: Set<string>, term: (word: string) => string = stem): [number, number][] {
  const out: [number, number][] = [];
  for (const m of text.matchAll(/[\p{L}\p{N}]+/gu)) {
    const w = normalizeForDedup(m[0]);
    if (stems.has(term(w))) out.push([m.index, m.index + m[0].length]);
  }
  return out;
}
