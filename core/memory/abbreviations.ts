import { POS_CODES, type Lexicon } from './lexicon/index.js';
import { STOPWORDS } from './text.js';

/**
 * Abbreviations and what they stand for, learned from the memories' own words: "NUM" and "nurse unit
 * manager", "HOA" and "home-owners association", "PALS" and "paediatric advanced life support".
 *
 * A token of 2–6 letters is linked to a run of consecutive words whose initials spell it ("and",
 * "of", "the" and "for" may be skipped or spelled; a compound of two dictionary words may give both
 * initials: "homeowners" is h, o), with evidence that keeps such links rare:
 * - an explicit definition in a memory: "nurse unit manager (NUM)", "NUM (nurse unit manager)",
 *   "NUM = nurse unit manager", "NUM stands for / is short for / means nurse unit manager";
 * - WordNet, where a multi-word term has the abbreviation as a synonym ("ICU", intensive care unit),
 *   when the query or a memory writes it in capitals (lower case, "us" and "am" are words);
 * - for 3 letters or more and a word WordNet does not know ("PIN" is a word, "NUM" is not), the
 *   initials of a run of words in a memory that names a thing (it ends in a noun), when a memory
 *   writes the abbreviation in capitals: a query's capitals alone spell runs by chance ("PDF",
 *   "prod deploys fri").
 * Two letters ("OT", "GP") spell too many runs by chance: only a definition or WordNet links them.
 */

/**
 * A memory's words in order, lower case, with null where a clause ends or a number stands; `cases`
 * says how each was written: CAPITALS ("NUM"), CAPITALISED ("Torrens") or 0.
 */
export type WordRun = { words: (string | null)[]; cases: number[] };
export const CAPITALS = 1;
export const CAPITALISED = 2;

/** Words a phrase may skip ("Department for Education"), and of them those it may also spell ("Parents and Citizens", "power of attorney"). */
const SKIPPABLE = new Set(['and', 'of', 'the', 'for']);
const SPELLABLE = new Set(['and', 'of']);
export const MIN_LETTERS = 2;
export const MAX_LETTERS = 6;
/** Letters from which initials alone link an abbreviation a memory writes in capitals. */
const INITIALS_LETTERS = 3;
/** Expansions kept per abbreviation, the most used first. */
const MAX_EXPANSIONS = 3;

/** A memory's text as words in clauses: punctuation other than hyphens and apostrophes ends a clause. */
export function wordRun(text: string): WordRun {
  const words: (string | null)[] = [];
  const cases: number[] = [];
  const stop = () => {
    if (words.length && words[words.length - 1] !== null) {
      words.push(null);
      cases.push(0);
    }
  };
  for (const m of fold(text).matchAll(WORD_OR_BREAK)) {
    const raw = m[1];
    if (raw === undefined || /\d|['’](?!s$)/i.test(raw)) {
      stop();
      continue;
    }
    const word = raw.replace(/['’]s$/i, '');
    const lower = word.toLowerCase();
    words.push(lower);
    cases.push(word.length >= MIN_LETTERS && lower !== word && word === word.toUpperCase() ? CAPITALS : word[0] !== lower[0] ? CAPITALISED : 0);
  }
  stop();
  return { words, cases };
}
/** A word (with an apostrophe's ending), or what ends a clause: punctuation other than hyphens and apostrophes, or a dash between spaces. */
const WORD_OR_BREAK = /([\p{L}\p{N}]+(?:['’]\p{L}+)?)|[.,;:!?()[\]{}"“”/|=+*…<>@#]|\s[-–—]+\s/gu;

/** Accents dropped ("café" → cafe). */
function fold(text: string): string {
  // eslint-disable-next-line no-control-regex
  return /^[\x00-\x7f]*$/.test(text) ? text : text.normalize('NFKD').replace(/\p{M}+/gu, '');
}

/** Whether a word may be an abbreviation: 2–6 letters, not a stopword ("us", "am", "who"). */
export function mayAbbreviate(word: string): boolean {
  return word.length >= MIN_LETTERS && word.length <= MAX_LETTERS && /^\p{L}+$/u.test(word) && !STOPWORDS.has(word);
}

/**
 * Where a run of words starting at `start` spells `abbr` by its initials, or -1: each word gives its
 * initial (a compound of two dictionary words may give both), "and", "of", "the" and "for" may be
 * skipped inside the run, and any other function word, a number or a clause end stops it. The run
 * has two words at least, starts and ends with a topic word and never holds the abbreviation itself.
 */
export function spells(abbr: string, words: readonly (string | null)[], start: number, lx: Lexicon | null): number {
  const first = words[start];
  if (!first || STOPWORDS.has(first) || first[0] !== abbr[0]) return -1;
  const go = (i: number, j: number, count: number): number => {
    if (i === abbr.length) return count >= 2 ? j : -1;
    const w = words[j];
    if (!w || w === abbr || w.length < 2) return -1;
    if (SKIPPABLE.has(w)) {
      if (j === start) return -1;
      const skipped = go(i, j + 1, count);
      if (skipped >= 0) return skipped;
      return SPELLABLE.has(w) && w[0] === abbr[i] && i + 1 < abbr.length ? go(i + 1, j + 1, count + 1) : -1;
    }
    if (STOPWORDS.has(w) || w.length < 3) return -1;
    if (w[0] === abbr[i]) {
      const end = go(i + 1, j + 1, count + 1);
      if (end >= 0) return end;
    }
    if (lx && i + 1 < abbr.length && w[0] === abbr[i] && w.length >= 6) {
      for (let k = 3; k <= w.length - 3; k++) {
        if (w[k] !== abbr[i + 1] || !dictionaryWord(lx, w.slice(0, k)) || !dictionaryWord(lx, w.slice(k))) continue;
        const end = go(i + 2, j + 1, count + 2);
        if (end >= 0) return end;
      }
    }
    return -1;
  };
  return go(0, start, 0);
}

function dictionaryWord(lx: Lexicon, word: string): boolean {
  return lx.lemmaId(word) >= 0 || lx.baseForm(word) !== null;
}

/**
 * Definitions a text gives: "nurse unit manager (NUM)", "NUM (nurse unit manager)", "NUM = nurse
 * unit manager", "NUM stands for / is short for / means nurse unit manager"; the words must spell
 * the abbreviation by their initials. As [abbreviation, phrase] pairs, lower case.
 */
export function definitions(text: string, lx: Lexicon | null): [string, string][] {
  const out: [string, string][] = [];
  if (!/[(=:]|\b(stands|short|means|abbreviation)\b/.test(text)) return out;
  const folded = fold(text);
  const phraseAt = (abbr: string, before: string, fromEnd: boolean) => {
    const { words } = wordRun(before);
    const ws = words.slice(0, -1);
    if (fromEnd) {
      for (let start = Math.max(0, ws.length - 2 * abbr.length - 2); start < ws.length - 1; start++) {
        if (spells(abbr, ws, start, lx) === ws.length) return ws.slice(start).join(' ');
      }
      return null;
    }
    const end = spells(abbr, ws, 0, lx);
    return end > 0 ? ws.slice(0, end).join(' ') : null;
  };
  const add = (abbr: string, phrase: string | null) => {
    if (phrase && !out.some(([a, p]) => a === abbr && p === phrase)) out.push([abbr, phrase]);
  };
  // "nurse unit manager (NUM)": the words before the parentheses, within their clause.
  for (const m of folded.matchAll(/\(\s*(\p{L}{2,6})\s*\)/gu)) add(m[1].toLowerCase(), phraseAt(m[1].toLowerCase(), folded.slice(Math.max(0, m.index - DEFINITION_CHARS), m.index), true));
  // "NUM (nurse unit manager)"
  for (const m of folded.matchAll(/\b(\p{L}{2,6})\s*\(([^()]{3,80})\)/gu)) add(m[1].toLowerCase(), phraseAt(m[1].toLowerCase(), m[2], false));
  // "NUM = nurse unit manager", "NUM stands for nurse unit manager"
  if (!DEFINES.test(folded)) return out;
  for (const m of folded.matchAll(/\b(\p{L}{2,6})\s*(?:=|:|\bstands for\b|\bis short for\b|\bmeans\b|\bis an? abbreviation for\b)\s*([^.,;:!?()=]{3,80})/gu)) {
    add(m[1].toLowerCase(), phraseAt(m[1].toLowerCase(), m[2], false));
  }
  return out;
}

/** Characters before "(NUM)" looked at for what it stands for. */
const DEFINITION_CHARS = 120;
const DEFINES = /[=:]|\b(stands for|short for|means|abbreviation for)\b/;

/** A phrase an abbreviation stands for, with the memories that use it and how often. */
export type Expansion = { phrase: string; why: 'defined' | 'wordnet' | 'initials'; memories: Map<number, number> };

/**
 * The store's words in order, its abbreviations and definitions, kept per memory and counted as
 * memories are added and removed; the runs of words spelling an abbreviation a search asked for are
 * kept and updated memory by memory, the links made of them until the next change.
 */
export class Abbreviations {
  private readonly runs = new Map<number, WordRun>();
  private readonly defined = new Map<number, [string, string][]>();
  /** Memories writing each abbreviation in capitals, and each definition's phrases with their memories. */
  private readonly caps = new Map<string, number>();
  private readonly defs = new Map<string, Map<string, number>>();
  /** Abbreviations a run of query words may spell, by their first letter; rebuilt when the set changes. */
  private byInitialCache: Map<string, string[]> | null = null;
  /** Per abbreviation a search asked for, the runs of words spelling it and the memories using each (`phrasesSpelling`). */
  private readonly phrases = new Map<string, Map<string, Map<number, number>>>();
  private readonly links = new Map<string, Expansion[]>();
  private lexicon: Lexicon | null = null;

  /**
   * A snapshot's words (`unflatten`), checked whole when read and searched where they lie (with where
   * each memory's words start), turned into `runs` only when the store changes or is flattened again.
   */
  private pending: { flat: Int32Array; rowids: Float64Array; str: (n: number) => string; starts: Int32Array; counted: boolean } | null = null;

  put(rowid: number, text: string, lx: Lexicon | null): void {
    this.decode();
    this.remove(rowid);
    this.add(rowid, wordRun(text), definitions(text, lx));
  }

  remove(rowid: number): void {
    this.decode();
    const run = this.runs.get(rowid);
    if (!run) return;
    this.runs.delete(rowid);
    for (const w of capitalised(run)) this.count(this.caps, w, -1);
    for (const [abbr, phrase] of this.defined.get(rowid) ?? []) this.countDefinition(abbr, phrase, -1);
    this.defined.delete(rowid);
    for (const found of this.phrases.values()) {
      for (const [phrase, memories] of found) if (memories.delete(rowid) && memories.size === 0) found.delete(phrase);
    }
    this.links.clear();
  }

  private add(rowid: number, run: WordRun, defs: [string, string][]): void {
    this.runs.set(rowid, run);
    for (const w of capitalised(run)) this.count(this.caps, w, 1);
    if (defs.length) this.defined.set(rowid, defs);
    for (const [abbr, phrase] of defs) this.countDefinition(abbr, phrase, 1);
    for (const [abbr, found] of this.phrases) this.spellIn(abbr, rowid, run, found);
    this.links.clear();
  }

  private count(map: Map<string, number>, key: string, by: number): void {
    const n = (map.get(key) ?? 0) + by;
    if (n > 0) map.set(key, n);
    else map.delete(key);
    if (n === 0 || n === by) this.byInitialCache = null;
  }

  private countDefinition(abbr: string, phrase: string, by: number): void {
    let m = this.defs.get(abbr);
    if (!m) this.defs.set(abbr, (m = new Map()));
    this.count(m, phrase, by);
    if (m.size === 0) this.defs.delete(abbr);
    this.byInitialCache = null;
  }

  /**
   * The memories' words as flat numbers, memory by memory in `rowids` order: the word count, each
   * word as its string number times 4 plus how it was written (-1 for a clause end), then the
   * definition count and each definition's abbreviation and phrase as string numbers.
   */
  flatten(rowids: number[], id: (text: string) => number): Int32Array {
    this.decode();
    const out: number[] = [];
    for (const rowid of rowids) {
      const run = this.runs.get(rowid) ?? { words: [], cases: [] };
      out.push(run.words.length);
      run.words.forEach((w, i) => out.push(w === null ? CLAUSE_END : id(w) * 4 + run.cases[i]));
      const defs = this.defined.get(rowid) ?? [];
      out.push(defs.length);
      for (const [abbr, phrase] of defs) out.push(id(abbr), id(phrase));
    }
    return Int32Array.from(out);
  }

  /**
   * Takes what `flatten` gave for these rowids, whose numbers name `strings` strings (`str`), read
   * as searches need it. Throws at once if it does not fit them, so a damaged snapshot is refused
   * where it is read, not at a search.
   */
  unflatten(flat: Int32Array, rowids: Float64Array, str: (n: number) => string, strings: number): void {
    const starts = wordStarts(flat, rowids.length, strings);
    for (const rowid of [...this.runs.keys()]) this.remove(rowid);
    this.pending = rowids.length ? { flat, rowids, str, starts, counted: false } : null;
  }

  /** Counts a snapshot's capitals and definitions where they lie. */
  private counted(): void {
    const p = this.pending;
    if (!p || p.counted) return;
    p.counted = true;
    const { flat, str, starts } = p;
    for (const at of starts) {
      const end = at + 1 + flat[at];
      const caps = new Set<string>();
      for (let k = at + 1; k < end; k++) {
        const w = wordAt(flat[k], str);
        if (w !== null && writtenAbbreviation(w, caseAt(flat[k]))) caps.add(w);
      }
      for (const w of caps) this.count(this.caps, w, 1);
      for (let k = 0; k < flat[end]; k++) this.countDefinition(str(flat[end + 1 + 2 * k]), str(flat[end + 2 + 2 * k]), 1);
    }
  }

  /** Turns a snapshot's words into `runs`, before the store changes. */
  private decode(): void {
    this.counted();
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    const { flat, str, starts } = p;
    p.rowids.forEach((rowid, i) => {
      const at = starts[i];
      const n = flat[at];
      const words: (string | null)[] = [];
      const cases: number[] = [];
      for (let k = at + 1; k <= at + n; k++) {
        words.push(wordAt(flat[k], str));
        cases.push(caseAt(flat[k]));
      }
      this.runs.set(rowid, { words, cases });
      const d = flat[at + 1 + n];
      const defs: [string, string][] = [];
      for (let k = 0; k < d; k++) defs.push([str(flat[at + 2 + n + 2 * k]), str(flat[at + 3 + n + 2 * k])]);
      if (defs.length) this.defined.set(rowid, defs);
    });
  }

  /** Adds to `found` the runs of a snapshot's words (not decoded) spelling `abbr`. */
  private spellInSnapshot(abbr: string, found: Map<string, Map<number, number>>): void {
    const p = this.pending;
    if (!p) return;
    const { flat, str, starts } = p;
    const span = 3 * abbr.length + 2;
    p.rowids.forEach((rowid, i) => {
      const at = starts[i];
      const n = flat[at];
      for (let k = at + 1; k <= at + n; k++) {
        const w = wordAt(flat[k], str);
        if (w === null || w[0] !== abbr[0] || k === at + n) continue;
        // The next word gives the second letter, is skipped, or this one is a compound giving both.
        const next = wordAt(flat[k + 1], str);
        if (next === null) continue;
        if (next[0] !== abbr[1] && !SKIPPABLE.has(next) && !(w.length >= 6 && w.includes(abbr[1], 3))) continue;
        const words: (string | null)[] = [];
        const cases: number[] = [];
        for (let m = k; m <= Math.min(at + n, k + span); m++) {
          words.push(wordAt(flat[m], str));
          cases.push(caseAt(flat[m]));
        }
        words.push(null);
        cases.push(0);
        this.spellAt(abbr, rowid, { words, cases }, 0, found);
      }
    });
  }

  private byInitial(): Map<string, string[]> {
    this.counted();
    if (!this.byInitialCache) {
      const byInitial = new Map<string, string[]>();
      for (const abbr of new Set([...this.defs.keys(), ...this.caps.keys()])) {
        const list = byInitial.get(abbr[0]);
        if (list) list.push(abbr);
        else byInitial.set(abbr[0], [abbr]);
      }
      this.byInitialCache = byInitial;
    }
    return this.byInitialCache;
  }

  /** Every run of words in the store spelling `abbr`, with the memories using it and how often. */
  private phrasesSpelling(abbr: string, lx: Lexicon | null): Map<string, Map<number, number>> {
    this.counted();
    if (lx !== this.lexicon) {
      // Compounds split by the dictionary: what was spelled without one is spelled again.
      this.lexicon = lx;
      this.phrases.clear();
    }
    let found = this.phrases.get(abbr);
    if (!found) {
      found = new Map();
      for (const [rowid, run] of this.runs) this.spellIn(abbr, rowid, run, found);
      this.spellInSnapshot(abbr, found);
      if (this.phrases.size >= 1000) this.phrases.clear();
      this.phrases.set(abbr, found);
    }
    return found;
  }

  /** Adds to `found` the runs of a memory's words spelling `abbr`. */
  private spellIn(abbr: string, rowid: number, run: WordRun, found: Map<string, Map<number, number>>): void {
    for (let j = 0; j < run.words.length; j++) if (run.words[j]?.[0] === abbr[0]) this.spellAt(abbr, rowid, run, j, found);
  }

  /** Adds to `found` the run of a memory's words from `j` when it spells `abbr`. */
  private spellAt(abbr: string, rowid: number, run: WordRun, j: number, found: Map<string, Map<number, number>>): void {
    const lx = this.lexicon;
    const ws = run.words;
    const end = spells(abbr, ws, j, lx);
    if (end < 0) return;
    // A word WordNet does not know is a name only when written as one ("Torrens", not "cressants").
    if (lx && ws.slice(j, end).some((w, k) => !SKIPPABLE.has(w!) && run.cases[j + k] === 0 && lx.baseForms(w!).length === 0)) return;
    const phrase = ws.slice(j, end).join(' ');
    let m = found.get(phrase);
    if (!m) found.set(phrase, (m = new Map()));
    m.set(rowid, (m.get(rowid) ?? 0) + 1);
  }

  /**
   * What an abbreviation of a query stands for in the store, the most used first: the phrases a
   * memory defines it as, WordNet's terms for it when the query or a memory writes it in capitals,
   * and, when a memory writes it in capitals (3+ letters, a word WordNet does not know), the runs of
   * words spelling it that name a thing.
   */
  expansions(abbr: string, capsInQuery: boolean, lx: Lexicon | null): Expansion[] {
    if (!mayAbbreviate(abbr)) return [];
    this.counted();
    const key = `${capsInQuery ? 'C' : 'l'}${abbr}`;
    let out = lx === this.lexicon ? this.links.get(key) : undefined;
    if (!out) {
      const found = new Map<string, Expansion>();
      const spelled = () => this.phrasesSpelling(abbr, lx);
      for (const phrase of this.defs.get(abbr)?.keys() ?? []) {
        const memories = spelled().get(phrase);
        if (memories) found.set(phrase, { phrase, why: 'defined', memories });
      }
      // Written in capitals, not a word that is also an abbreviation ("us", "am", "who", "dc").
      const capitals = capsInQuery || this.caps.has(abbr);
      if (capitals) {
        for (const phrase of wordnetExpansions(abbr, lx)) {
          const memories = spelled().get(phrase);
          if (memories && !found.has(phrase)) found.set(phrase, { phrase, why: 'wordnet', memories });
        }
      }
      // Initials alone need a memory that writes the abbreviation: a query's capitals spell some run
      // of the store's words by chance ("PDF", "prod deploys fri"). A word of its own ("PIN", "FEE",
      // "TIP") written in capitals is that word, or an abbreviation WordNet gives: runs of words that
      // happen to spell it ("policy number") are no evidence either.
      if (abbr.length >= INITIALS_LETTERS && this.caps.has(abbr) && !(lx && lx.baseForms(abbr).length)) {
        for (const [phrase, memories] of spelled()) if (!found.has(phrase) && byInitials(abbr, phrase.split(' '), lx)) found.set(phrase, { phrase, why: 'initials', memories });
      }
      out = [...found.values()].sort((a, b) => rank(b) - rank(a) || (a.phrase < b.phrase ? -1 : 1)).slice(0, MAX_EXPANSIONS);
      if (this.links.size >= 1000) this.links.clear();
      this.links.set(key, out);
    }
    return out;
  }

  /** Whether `expansions` may find something for a word: a definition of it, or capitals in the query or a memory. */
  mayStandFor(abbr: string, capsInQuery: boolean): boolean {
    if (!mayAbbreviate(abbr)) return false;
    this.counted();
    return capsInQuery || this.defs.has(abbr) || this.caps.has(abbr);
  }

  /**
   * The abbreviation a run of query words starting at `start` spells, when the store links the two:
   * the run is one of the store's expansions of an abbreviation a memory defines, WordNet gives or a
   * memory writes in capitals (see `expansions`), and `mayLookUp` allows. With where the run ends.
   */
  abbreviationOf(words: readonly (string | null)[], start: number, lx: Lexicon | null, mayLookUp: (abbr: string) => boolean = () => true): { abbr: string; end: number; expansion: Expansion } | null {
    const first = words[start];
    if (!first || STOPWORDS.has(first)) return null;
    for (const abbr of this.byInitial().get(first[0]) ?? []) {
      const end = spells(abbr, words, start, lx);
      if (end < 0 || !mayLookUp(abbr)) continue;
      const phrase = words.slice(start, end).join(' ');
      const expansion = this.expansions(abbr, false, lx).find((e) => e.phrase === phrase);
      if (expansion) return { abbr, end, expansion };
    }
    return null;
  }
}

/**
 * Whether a run of words, found only by its initials, may stand for an abbreviation: each word gives
 * one initial (a compound giving two, "galley" as gal + ley, spells too much by chance: only a
 * definition or WordNet links one) and the run names a thing. It names a thing when it holds no
 * preposition but "of" and "for" ("floor till end", "sleep after night"), ends in a word used mostly
 * as a noun and each of its words is used as a noun or an adjective (by WordNet's tagged uses), is a
 * verb's -ing form ("driver and vehicle licensing agency") or is a name (a word WordNet does not
 * know): "prod deploys fri" names nothing.
 */
function byInitials(abbr: string, ws: string[], lx: Lexicon | null): boolean {
  if (spells(abbr, ws, 0, null) !== ws.length || ws.some((w) => PREPOSITIONS.has(w))) return false;
  if (!lx) return true;
  const uses = (w: string) => {
    const byPos = [0, 0, 0, 0];
    for (const f of lx.baseForms(w)) for (const x of lx.senses(f.lemmaId)) if (x.pos === f.pos) byPos[x.pos] += x.tagCount + 0.5;
    return byPos;
  };
  const none = (u: number[]) => u.every((n) => n === 0);
  const words = ws.filter((w) => !SKIPPABLE.has(w));
  const content = words.map(uses);
  const last = content[content.length - 1];
  // A verb's -ing form names an activity ("licensing agency"): a noun use WordNet does not list.
  const gerund = (k: number) => words[k].endsWith('ing') && content[k][POS_CODES.v] > 0;
  return (none(last) || last[POS_CODES.n] >= Math.max(...last)) && content.every((u, k) => none(u) || u[POS_CODES.n] > 0 || u[POS_CODES.a] > 0 || gerund(k));
}

/** Prepositions not among the stopwords, which a run spelling an abbreviation passes over. */
const PREPOSITIONS = new Set(
  'above across after against along amid among around before behind below beneath beside besides between beyond despite except onto since till til toward towards upon via versus within without'.split(' '),
);

/** The abbreviation-shaped words a memory writes in capitals, each once. */
function capitalised(run: WordRun): Set<string> {
  const out = new Set<string>();
  run.words.forEach((w, i) => {
    if (w && writtenAbbreviation(w, run.cases[i])) out.add(w);
  });
  return out;
}

/** Whether a word, written so (`cases`), is an abbreviation a memory writes in capitals. */
function writtenAbbreviation(word: string, written: number): boolean {
  return written === CAPITALS && mayAbbreviate(word);
}

/** A clause end among a snapshot's words (see `Abbreviations.flatten`). */
const CLAUSE_END = -1;

/**
 * Where each of `memories` memories' words start in a snapshot's words (`Abbreviations.flatten`);
 * throws unless the memories fill it exactly and every word and definition names one of `strings`
 * strings.
 */
function wordStarts(flat: Int32Array, memories: number, strings: number): Int32Array {
  const damaged = () => new Error('damaged index snapshot');
  const starts = new Int32Array(memories);
  let at = 0;
  for (let i = 0; i < memories; i++) {
    starts[i] = at;
    const n = flat[at];
    const end = at + 1 + n;
    if (!(n >= 0) || end >= flat.length) throw damaged();
    for (let k = at + 1; k < end; k++) if (flat[k] !== CLAUSE_END && !(flat[k] >= 0 && flat[k] >> 2 < strings)) throw damaged();
    const d = flat[end];
    if (!(d >= 0) || end + 1 + 2 * d > flat.length) throw damaged();
    for (let k = end + 1; k < end + 1 + 2 * d; k++) if (!(flat[k] >= 0 && flat[k] < strings)) throw damaged();
    at = end + 1 + 2 * d;
  }
  if (at !== flat.length) throw damaged();
  return starts;
}
/** A snapshot's word: its string number times 4 plus how it was written, or CLAUSE_END. */
function wordAt(v: number, str: (n: number) => string): string | null {
  return v < 0 ? null : str(v >> 2);
}
function caseAt(v: number): number {
  return v < 0 ? 0 : v & 3;
}

function rank(e: Expansion): number {
  const uses = [...e.memories.values()].reduce((a, b) => a + b, 0);
  return (e.why === 'initials' ? 0 : 1000) + uses;
}

/** WordNet's multi-word terms that have the abbreviation as a synonym and are spelled by it ("icu": intensive care unit). */
function wordnetExpansions(abbr: string, lx: Lexicon | null): string[] {
  if (!lx) return [];
  const id = lx.lemmaId(abbr);
  if (id < 0) return [];
  const out: string[] = [];
  for (const sense of lx.senses(id)) {
    for (const lemma of lx.synsetLemmas(sense.synset)) {
      const ws = lemma.toLowerCase().split(/[_\s-]+/);
      if (ws.length >= 2 && spells(abbr, ws, 0, lx) === ws.length) out.push(ws.join(' '));
    }
  }
  return out;
}
