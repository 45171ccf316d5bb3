import type { MemoryMatch } from '../contract/index.js';
import { RELATION_WEIGHT, termOf, topicWeight, type LexicalIndex, type QueryGroup } from './lexical.js';
import { POS_CODES, REL, lexiconIfLoaded, type Lexicon } from './lexicon/index.js';
import type { MemoryQueries } from './store.js';
import { STOPWORDS, words } from './text.js';

/**
 * Who the user's people are, as their memories say: "My son Archie", "Archie (my son)", "Dan (Daniel
 * Petrakis) is my partner", "Dan's parents Stavros and Eleni", "maya okonkwo = partner", "grace
 * (maya's mom)". A question that asks about someone by how they are related ("what inhaler does my
 * son use?", "which suburb are my in-laws in?", "can Dan's mother eat wheat?") also looks for the
 * names those memories give, as a match of the relation word (`person`), and says which memory
 * told who that is. What each memory states is read when the full-text index takes the memory in,
 * and kept there with it (`StatedPeople`), so a forgotten or edited memory stops naming anyone at once.
 */

/** A relation a memory states: whose (`me`: the user, else a name's term), which (canonical), and the person's words. */
export interface StatedRelation {
  owner: string;
  relation: string;
  /** The person's name as written, one or more words ("Victor Reyes"), and their terms. */
  name: string;
  terms: string[];
}

/** A name a question reaches through a relation: the query word it answers for and the memory that says so. */
export interface PersonTerm {
  /** The query word group the name answers for ("son", "in_law", "half"). */
  group: string;
  /** How the question asks ("my son", "Dan's mother"). */
  phrase: string;
  /** The relation as the question writes it ("son", "in-laws", "other half", "partner's mother"). */
  asked: string;
  name: string;
  term: string;
  weight: number;
  /** The memory that says who that is. */
  via: string;
}

/**
 * Kin words and their everyday forms, by canonical relation (WordNet's kin terms, hyponyms of
 * "relative", with the colloquial synonyms it lists — mum, mom, ma; gran, nan — and the ways people
 * name a partner: other half, better half, significant other), and the person roles a question may
 * name someone by (manager, boss, flatmate, best friend).
 */
const FORMS: Record<string, string[]> = {
  mother: ['mother', 'mum', 'mom', 'mam', 'mama', 'mamma', 'mommy', 'mummy', 'mumma', 'ma'],
  father: ['father', 'dad', 'daddy', 'papa', 'pa'],
  parent: ['parent', 'parents', 'folks'],
  son: ['son', 'sons'],
  daughter: ['daughter', 'daughters'],
  child: ['child', 'children', 'kid', 'kids', 'kiddo', 'kiddos'],
  boy: ['boy', 'boys'],
  girl: ['girl', 'girls'],
  brother: ['brother', 'brothers', 'bro'],
  sister: ['sister', 'sisters', 'sis'],
  sibling: ['sibling', 'siblings'],
  husband: ['husband', 'hubby'],
  wife: ['wife', 'missus'],
  partner: ['partner', 'spouse', 'other half', 'better half', 'significant other', 'de facto'],
  girlfriend: ['girlfriend', 'gf'],
  boyfriend: ['boyfriend', 'bf'],
  fiance: ['fiance', 'fiancee', 'fiancé', 'fiancée'],
  grandmother: ['grandmother', 'grandma', 'gran', 'granny', 'nan', 'nana', 'nanna', 'nonna', 'oma'],
  grandfather: ['grandfather', 'grandpa', 'grandad', 'granddad', 'gramps', 'nonno', 'opa'],
  grandparent: ['grandparent', 'grandparents'],
  grandson: ['grandson', 'grandsons'],
  granddaughter: ['granddaughter', 'granddaughters'],
  grandchild: ['grandchild', 'grandchildren', 'grandkid', 'grandkids'],
  aunt: ['aunt', 'aunts', 'auntie', 'aunty'],
  uncle: ['uncle', 'uncles'],
  niece: ['niece', 'nieces'],
  nephew: ['nephew', 'nephews'],
  cousin: ['cousin', 'cousins'],
  in_law: ['in-laws', 'in-law', 'inlaws'],
  mother_in_law: ['mother-in-law', 'mil'],
  father_in_law: ['father-in-law', 'fil'],
  sister_in_law: ['sister-in-law'],
  brother_in_law: ['brother-in-law'],
  stepson: ['stepson'],
  stepdaughter: ['stepdaughter'],
  stepmother: ['stepmother', 'stepmum', 'stepmom'],
  stepfather: ['stepfather', 'stepdad'],
  godchild: ['godchild', 'godson', 'goddaughter'],
  manager: ['manager', 'boss', 'line manager'],
  best_friend: ['best friend', 'best mate', 'bestie', 'bff'],
  flatmate: ['flatmate', 'housemate', 'roommate'],
};
/** What each relation is a kind of: asking for the broader one finds the narrower fully, the reverse in part ("Dan's mother" among "Dan's parents"). */
const BROADER: Record<string, string> = {
  mother: 'parent',
  father: 'parent',
  son: 'child',
  daughter: 'child',
  boy: 'son',
  girl: 'daughter',
  stepson: 'child',
  stepdaughter: 'child',
  brother: 'sibling',
  sister: 'sibling',
  husband: 'partner',
  wife: 'partner',
  girlfriend: 'partner',
  boyfriend: 'partner',
  fiance: 'partner',
  grandmother: 'grandparent',
  grandfather: 'grandparent',
  grandson: 'grandchild',
  granddaughter: 'grandchild',
  mother_in_law: 'in_law',
  father_in_law: 'in_law',
};
/** Relations that are a path through another person: in-laws are the partner's parents, a niece a sibling's daughter. */
const PATHS: Record<string, string[][]> = {
  in_law: [['partner', 'parent']],
  mother_in_law: [['partner', 'mother']],
  father_in_law: [['partner', 'father']],
  sister_in_law: [['partner', 'sister'], ['brother', 'wife']],
  brother_in_law: [['partner', 'brother'], ['sister', 'husband']],
  niece: [['sibling', 'daughter']],
  nephew: [['sibling', 'son']],
  grandchild: [['child', 'child']],
  grandson: [['child', 'son']],
  granddaughter: [['child', 'daughter']],
  grandmother: [['parent', 'mother']],
  grandfather: [['parent', 'father']],
  grandparent: [['parent', 'parent']],
  aunt: [['parent', 'sister']],
  uncle: [['parent', 'brother']],
};
/** A stated relation broader than the one asked counts this much ("parents" for "mother"); a path step through another person, this much each. */
const BROADER_SHARE = 0.6;
const PATH_SHARE = 0.9;
/** Where the phrase of a relation word at `i` starts: before up to two `MODIFIERS` ("my little sister"). */
function phraseStart(tokens: Token[], i: number): number {
  let start = i;
  while (start > 0 && MODIFIERS.has(tokens[start - 1].w) && start > i - 2) start--;
  return start;
}
/** Words that may stand between "my" and the relation ("my little sister", "our two kids"). */
const MODIFIERS = new Set('little big older younger elder eldest oldest youngest baby twin late two three four 2 3 4 own dear'.split(' '));
/** Relations "boy"/"girl" only name someone's child when possessed ("Tash's boy Hamish"), never bare. */
const POSSESSED_ONLY = new Set(['boy', 'girl']);

const FORM_OF = new Map<string, string>();
for (const [canonical, forms] of Object.entries(FORMS)) for (const f of forms) FORM_OF.set(f, canonical);
/** The most words a form is written in, its hyphens written apart ("mother in law"). */
const LONGEST_FORM = Math.max(...[...FORM_OF.keys()].map((f) => f.split(/[ -]/).length));
/** The words a form starts with, as a token has them ("other" of "other half", "mother" of "mother-in-law" written apart). */
const FIRST_WORDS = new Set([...FORM_OF.keys()].map((f) => f.split(/[ -]/)[0]));
for (const f of FORM_OF.keys()) if (!f.includes(' ')) FIRST_WORDS.add(f);

const kinWords = new WeakMap<Lexicon, Map<string, boolean>>();
/**
 * Whether WordNet knows a word as a relative ("mum": mother, parent, … relative; "gran", "auntie"), in
 * any of its senses but one person's: Sarah, "(Old Testament) the wife of Abraham", Noah and Mary
 * are names (a sense whose definition names someone or somewhere, in capitals, is a person's or a
 * place's).
 */
export function kinWord(lx: Lexicon, word: string): boolean {
  let cache = kinWords.get(lx);
  if (!cache) kinWords.set(lx, (cache = new Map()));
  let kin = cache.get(word);
  if (kin === undefined) {
    kin = false;
    for (const f of lx.baseForms(word)) {
      for (const sense of lx.senses(f.lemmaId)) {
        if (sense.pos !== POS_CODES.n || kin) continue;
        let frontier = [sense.synset];
        for (let depth = 0; depth < KIN_DEPTH && frontier.length && !kin; depth++) {
          frontier = frontier.flatMap((x) => lx.related(x, REL.hypernym));
          kin = frontier.some((x) => {
            const lemmas = lx.synsetLemmas(x);
            return lemmas.includes('relative') && lemmas.includes('relation');
          });
        }
        if (kin && /\p{Lu}/u.test(lx.gloss(sense.synset))) kin = false;
      }
    }
    if (cache.size >= 10_000) cache.clear();
    cache.set(word, kin);
  }
  return kin;
}
/** Broader terms looked through for "relative" ("grandad": grandparent, forebear, ancestor, relative). */
const KIN_DEPTH = 6;

/**
 * Whether a word names a kin concept as written or in a plural ("godmother", "stepsisters",
 * "stepchildren"), by `kinWord`: every word of every memory is looked at, and only those among the
 * names of the concepts `kinWord` finds and their plurals (gathered once) take its dictionary walk.
 */
function kinTerm(lx: Lexicon, word: string): boolean {
  return kinForms(lx).has(word) && kinWord(lx, word);
}

/** Words and their plurals as English makes them, regular or not ("niece": nieces; "stepchild": stepchildren; "wife": wives). */
function withPlurals(words: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const w of words) {
    out.add(w);
    for (const [plural, singular] of PLURALS) if (w.endsWith(singular)) out.add(w.slice(0, w.length - singular.length) + plural);
  }
  return out;
}
/** Whether a relation word is written in the plural ("kids", "parents", "in-laws", "stepchildren"), not as one person ("Dad", "sis", "boss"). */
function writtenPlural(word: string, relation: string): boolean {
  return PLURALS.some(([plural, singular]) => {
    if (word.length <= plural.length || !word.endsWith(plural)) return false;
    const base = word.slice(0, word.length - plural.length) + singular;
    return (FORM_OF.get(base) ?? base) === relation;
  });
}
/** English plural endings and the singular's, regular and irregular. */
const PLURALS: [string, string][] = [
  ['s', ''],
  ['es', ''],
  ['ies', 'y'],
  ['ves', 'fe'],
  ['ves', 'f'],
  ['men', 'man'],
  ['ren', ''],
];

const kinFormSets = new WeakMap<Lexicon, Set<string>>();
/** The one-word names of the concepts within `KIN_DEPTH` narrower terms of "relative, relation", and their plurals. */
function kinForms(lx: Lexicon): Set<string> {
  let forms = kinFormSets.get(lx);
  if (!forms) {
    const lemmas: string[] = [];
    for (const synset of kinSynsets(lx)) for (const l of lx.synsetLemmas(synset)) if (/^[a-z]+$/.test(l)) lemmas.push(l);
    kinFormSets.set(lx, (forms = withPlurals(lemmas)));
  }
  return forms;
}

const cueSets = new WeakMap<Lexicon | object, Set<string>>();
const NO_LEXICON = {};
/**
 * Whether a text may state who someone is: a text with no word of a relation's forms (the last of a
 * phrase's but function words: "half" of "other half", "mate" of "best mate") nor of a kin term,
 * nor their plurals, states nothing, told by a look-up per word instead of reading it.
 */
function mayState(text: string, lx: Lexicon | null): boolean {
  let cues = cueSets.get(lx ?? NO_LEXICON);
  if (!cues) {
    const words: string[] = [];
    for (const f of FORM_OF.keys()) {
      const ws = f.split(/[ -]/).filter((w) => !STOPWORDS.has(w));
      if (ws.length) words.push(ws[ws.length - 1]);
    }
    cues = withPlurals(words);
    if (lx) for (const w of kinForms(lx)) cues.add(w);
    cueSets.set(lx ?? NO_LEXICON, cues);
  }
  // The text's words as the full-text index has just read them ("Zoë's fiancé": zoe, s, fiance).
  for (const w of words(text)) if (cues.has(w)) return true;
  return false;
}

/** The concepts within `KIN_DEPTH` narrower terms of "relative, relation": those `kinWord` walks up from. */
function kinSynsets(lx: Lexicon): Set<number> {
  const id = lx.lemmaId('relative');
  const roots = id < 0 ? [] : lx.senses(id).filter((s) => s.pos === POS_CODES.n && lx.synsetLemmas(s.synset).includes('relation')).map((s) => s.synset);
  const out = new Set<number>();
  let frontier = roots;
  for (let depth = 0; depth < KIN_DEPTH && frontier.length; depth++) {
    frontier = frontier.flatMap((x) => lx.related(x, REL.hyponym)).filter((x) => !out.has(x));
    for (const x of frontier) out.add(x);
  }
  return out;
}

type Token = { w: string; raw: string; poss: boolean; punct: boolean; written: string };

/** Words (their possessive marked and cut off: "Dan's" is dan, possessive) and the punctuation that shapes a statement. */
function tokenize(text: string): Token[] {
  const out: Token[] = [];
  // The same pattern in ASCII for ASCII text: Unicode's letter classes take V8 a millisecond or two to compile, once per process.
  const pattern = !/[^\t\n\r -~]/.test(text)
    ? /([A-Za-z0-9]+(?:[-'][A-Za-z0-9]+)*(?:'(?![A-Za-z]))?)|([=():;,.!?+&\n]|\s-\s)/g
    : /([\p{L}\p{N}][\p{L}\p{M}\p{N}]*(?:[-'’][\p{L}\p{M}\p{N}]+)*(?:['’](?![\p{L}]))?)|([=():;,.!?+&\n]|\s[-–—]\s)/gu;
  for (const m of text.matchAll(pattern)) {
    if (m[2]) {
      out.push({ w: m[2].trim() || '-', raw: m[2], poss: false, punct: true, written: m[2].trim() || '-' });
      continue;
    }
    let raw = m[1];
    let poss = false;
    const p = /^(.+?)(['’]s|['’])$/u.exec(raw);
    if (p && !/n['’]t$/i.test(raw)) {
      raw = p[1];
      poss = true;
    }
    out.push({ w: raw.toLowerCase(), raw, poss, punct: false, written: m[1] });
  }
  return out;
}

/**
 * A relation phrase starting at token `i`: its canonical relation and where it ends. `kin` tells the
 * other kin words WordNet knows: `kinWord` for a question's few words, `kinTerm` for a memory's.
 */
function relationAt(tokens: Token[], i: number, lx: Lexicon | null, kin: (lx: Lexicon, word: string) => boolean = kinWord): { relation: string; end: number } | null {
  for (let n = FIRST_WORDS.has(tokens[i].w) ? Math.min(LONGEST_FORM, tokens.length - i) : 0; n >= 1; n--) {
    const part = tokens.slice(i, i + n);
    if (part.some((t) => t.punct) || part.slice(0, -1).some((t) => t.poss)) continue;
    const phrase = part.map((t) => t.w).join(' ');
    const canonical = FORM_OF.get(phrase) ?? FORM_OF.get(phrase.replace(/ /g, '-'));
    if (canonical && !(n === 1 && abbreviation(part[0]))) return { relation: canonical, end: i + n };
  }
  // Other kin terms WordNet knows ("godmother", "stepsister"), each its own relation.
  const t = tokens[i];
  if (lx && !t.punct && !capitals(t) && /^[a-z]+$/.test(t.w) && !STOPWORDS.has(t.w) && !GROUPS.has(t.w) && kin(lx, t.w)) return { relation: lx.baseForm(t.w) ?? t.w, end: i + 1 };
  return null;
}
/**
 * Whether a relation phrase with the word after it is a term WordNet knows: a thing ("mother tongue",
 * "father figure") or, unless the relation is `owned` ("my Uncle Tom"), a person or figure of its
 * own ("Mother Teresa", "Father Christmas"), a title rather than who someone is to the user. Uncles
 * and aunts are never titles: people name their own so ("Uncle Joe").
 */
function titled(tokens: Token[], i: number, end: number, lx: Lexicon | null, owned: boolean): boolean {
  const next = tokens[end];
  if (!lx || !next || next.punct || !/^[a-z]+$/.test(next.w)) return false;
  if (next.raw !== next.w && (owned || tokens.slice(i, end).some((t) => UNTITLED.has(t.w)))) return false;
  return lx.lemmaId(`${tokens.slice(i, end).map((t) => t.w).join('_')}_${next.w}`) >= 0;
}
const UNTITLED = new Set(['uncle', 'uncles', 'aunt', 'aunts', 'auntie', 'aunty']);
/** Whether a word is written in capitals ("PA", "MIL", "DAD"). */
function capitals(t: Token): boolean {
  return t.raw.length > 1 && t.raw === t.raw.toUpperCase() && t.raw !== t.raw.toLowerCase();
}
/** Two letters in capitals abbreviate something else ("my PA", "MA thesis"), but for the forms written so ("my GF"). */
function abbreviation(t: Token): boolean {
  return capitals(t) && t.w.length === 2 && t.w !== 'gf' && t.w !== 'bf';
}
/** Kin words that name a group or kind, not one person ("my family physician", "a relative"). */
const GROUPS = new Set('family families relative relatives relation relations kin kinfolk kinsman household folk people clan tribe ancestor ancestors descendant descendants'.split(' '));

function isRelationWord(w: string, lx: Lexicon | null): boolean {
  return FORM_OF.has(w) || (lx !== null && /^[a-z]+$/.test(w) && !GROUPS.has(w) && kinWord(lx, w));
}

const TIME_WORD = /^(jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sept?(ember)?|oct(ober)?|nov(ember)?|dec(ember)?|mon(day)?|tue(s(day)?)?|wed(nesday)?|thu(rs(day)?)?|fri(day)?|sat(urday)?|sun(day)?|weekdays?|weekends?|today|tomorrow|yesterday|christmas|easter)s?$/;
/** Months that are also given names. */
const MONTH_NAMES = new Set(['jan', 'april', 'may', 'june']);
/** Words that are never a name whatever the slot: titles, "now", "also". */
const NEVER_NAME = new Set('mr mrs ms miss dr doctor prof sir madam now also still just then currently again'.split(' '));

/**
 * Whether a word can be a name in a slot. A text written with capitals names people with capitals
 * ("Archie", not "allergic"; not "ICU"); one written all in lowercase names them with words English
 * does not use (`strong` slots — "= partner", "(maya's mom)" — take any word but function words).
 */
function nameLike(t: Token | undefined, cased: boolean, strong: boolean, lx: Lexicon | null): boolean {
  if (!t || t.punct || /\d/.test(t.w) || t.w.length < 2 || STOPWORDS.has(t.w) || NEVER_NAME.has(t.w) || TIME_WORD.test(t.w) || isRelationWord(t.w, lx)) return false;
  // "Archie", "McDonald", "Smith-Jones", and with a letter before an apostrophe, "O'Brien", "D'Souza".
  if (cased) return /^\p{Lu}(?:['’]\p{Lu})?\p{Ll}/u.test(t.raw);
  if (strong) return true;
  return !lx || (topicWeight(lx, t.w) >= 0.75 && !lx.baseForms(t.w).some((f) => f.pos !== POS_CODES.n));
}

type Person = { tokens: Token[] };

/** A name word's terms, as the full-text index has them: "O'Brien" is brien, "Smith-Jones" smith and jones. */
function nameTerms(word: string): string[] {
  return words(word)
    .filter((w) => w.length > 1)
    .map(termOf);
}

/**
 * One person from `i` on: up to three name words ("Victor Reyes", "deb ng"); ends after a possessive
 * ("Dan's"). Where a list joined by "and" goes on (`listed`), a month people are named after is a
 * name, written with a capital and no date after it ("Bill and Jan", not "Bill and Jan 12").
 */
function personAt(tokens: Token[], i: number, cased: boolean, strong: boolean, lx: Lexicon | null, listed = false): { person: Person; end: number } | null {
  const month = (t: Token | undefined) => listed && cased && !!t && !t.punct && MONTH_NAMES.has(t.w) && /^\p{Lu}\p{Ll}/u.test(t.raw) && !/^\d/.test(tokens[i + 1]?.w ?? '');
  if (!nameLike(tokens[i], cased, strong, lx) && !month(tokens[i])) return null;
  const out = [tokens[i]];
  let j = i + 1;
  while (out.length < 3 && !out[out.length - 1].poss && cased && nameLike(tokens[j], cased, strong, lx)) out.push(tokens[j++]);
  return { person: { tokens: out }, end: j };
}

/**
 * People from `i` on: one, or a list joined by "and", "+", "&" ("Stavros and Eleni", "chidi + grace",
 * "Ruby, Archie and Lea"), each maybe with a few words in brackets after it ("Ruby (8) and Archie
 * (6)"). In a `list` (after a colon, the relation in the plural) commas alone join names: "Kids: Ruby (8), Archie (6)",
 * not "Dad: Bill, Sydney".
 */
function peopleAt(tokens: Token[], i: number, cased: boolean, strong: boolean, lx: Lexicon | null, list = false): Person[] {
  const first = personAt(tokens, i, cased, strong, lx);
  if (!first) return [];
  const out = [first.person];
  let j = afterAside(tokens, first.end);
  let asides = j > first.end ? 1 : 0;
  let commas = 0;
  while (j < tokens.length && !out[out.length - 1].tokens.at(-1)!.poss) {
    const sep = tokens[j].w;
    if (sep !== 'and' && sep !== '+' && sep !== '&' && sep !== ',') break;
    const next = personAt(tokens, j + 1, cased, strong || sep !== ',', lx, sep !== ',');
    if (!next) break;
    if (sep === ',') commas++;
    else commas = 0;
    out.push(next.person);
    j = afterAside(tokens, next.end);
    if (j > next.end) asides++;
  }
  // "Sister Carla, ICU nurse in Calgary": a comma joins names only in a list that ends with "and", or
  // after a colon in one that ends its clause or gives each name its bracket ("Kids: Ruby (8), Archie (6), both …").
  const listed = list && (j >= tokens.length || CLAUSE_START.has(tokens[j].w) || asides === out.length);
  return commas && !listed ? out.slice(0, out.length - commas) : out;
}

/** Where a few words in brackets right after a person end ("Ruby (8)", "Archie (age 6)"), else `j`. */
function afterAside(tokens: Token[], j: number): number {
  if (tokens[j]?.w !== '(') return j;
  for (let k = j + 1; k < tokens.length && k <= j + ASIDE_WORDS + 1; k++) {
    if (tokens[k].w === ')') return k > j + 1 ? k + 1 : j;
    if (tokens[k].punct) return j;
  }
  return j;
}
const ASIDE_WORDS = 4;

/** The person written right before `end` (exclusive), skipping a parenthetical ("Dan (Daniel Petrakis) is …"). */
function personBefore(tokens: Token[], end: number, cased: boolean, strong: boolean, lx: Lexicon | null): Person | null {
  let j = end - 1;
  const extra: Token[] = [];
  if (tokens[j]?.w === ')') {
    let k = j - 1;
    while (k >= 0 && tokens[k].w !== '(' && !tokens[k].punct) k--;
    if (tokens[k]?.w !== '(') return null;
    for (let x = k + 1; x < j; x++) if (nameLike(tokens[x], cased, true, lx)) extra.push(tokens[x]);
    j = k - 1;
  }
  const found: Token[] = [];
  while (j >= 0 && found.length < 3 && nameLike(tokens[j], cased, strong, lx) && !tokens[j].poss) {
    found.unshift(tokens[j]);
    j--;
    if (!cased) break;
  }
  // The name starts its clause: "maya okonkwo = partner" reads back to "maya" in lowercase notes too.
  if (!cased && found.length && j >= 0 && nameLike(tokens[j], cased, strong, lx) && (j === 0 || tokens[j - 1].punct)) found.unshift(tokens[j--]);
  if (!found.length || (j >= 0 && !tokens[j].punct)) return null;
  return { tokens: [...found, ...extra] };
}

const CLAUSE_START = new Set(['.', ';', '!', '?', '\n', '-']);

/**
 * The relations a memory states, with whose they are: the user's ("my son Archie", "our kids Ruby
 * and Archie", "Archie, my son", "Archie (my son)", "Archie is my son", "Sister Carla", "Dad = Victor
 * Reyes", "mom (ildikó)", "maya okonkwo = partner") or a named person's ("Dan's parents Stavros and
 * Eleni", "grace (maya's mom)", "my husband Dan's parents"). Someone else's ("her husband Ted"), a
 * relation owned in turn ("my son's teacher Ms Lee") or a kind of partner ("climbing partner") names nobody.
 */
export function statedRelations(text: string, lx: Lexicon | null = lexiconIfLoaded()): StatedRelation[] {
  if (!mayState(text, lx)) return [];
  const tokens = tokenize(text);
  const cased = /\p{Lu}/u.test(text);
  const out: StatedRelation[] = [];
  const emit = (owner: string, relation: string, people: Person[]) => {
    for (const p of people) {
      const terms = p.tokens.flatMap((t) => nameTerms(t.w));
      if (terms.length && owner !== terms[0]) out.push({ owner, relation, name: p.tokens.map((t) => t.raw).join(' '), terms });
    }
  };
  for (let i = 0; i < tokens.length; i++) {
    const found = relationAt(tokens, i, lx, kinTerm);
    if (!found) continue;
    const { relation, end } = found;
    // Whose: "my"/"our" (a modifier may come between), a named owner's possessive, or the start of a note.
    const start = phraseStart(tokens, i);
    const before = tokens[start - 1];
    let owner: string | null = null;
    let bare = false;
    if (before && (before.w === 'my' || before.w === 'our')) owner = 'me';
    else if (before?.poss && nameLike(before, cased, true, lx)) owner = nameTerms(before.w)[0] ?? termOf(before.w);
    else if (start === i && (i === 0 || CLAUSE_START.has(tokens[i - 1].w)) && !POSSESSED_ONLY.has(relation)) {
      owner = 'me';
      bare = true;
    } else if (before && (before.w === '=' || (before.w === '(' && i > 0))) {
      // "maya okonkwo = partner", "Archie (son)": a note's own shorthand.
      owner = 'me';
      bare = true;
    }
    if (!owner || (POSSESSED_ONLY.has(relation) && owner === 'me' && before?.w !== 'my' && before?.w !== 'our')) continue;
    // "Mother Teresa won the Nobel prize": a title at a note's start, not the user's mother; "my mother tongue": a thing.
    if (titled(tokens, i, end, lx, !bare)) continue;
    const last = tokens[end - 1];
    // Owned in turn ("my son's teacher"): whoever follows is someone else.
    if (last.poss) continue;
    const next = tokens[end];
    let named: Person[] = [];
    if (next?.w === '(') named = peopleAt(tokens, end + 1, cased, true, lx);
    else if (next?.w === '=' || next?.w === ':') named = peopleAt(tokens, end + 1, cased, next.w === '=', lx, next.w === ':' && writtenPlural(last.w, relation)).filter((p) => !AMOUNT.test(tokens[tokens.indexOf(p.tokens[p.tokens.length - 1]) + 1]?.w ?? ''));
    else if (next?.w === 'is' || next?.w === 'was') named = namedAfterIs(peopleAt(tokens, tokens[end + 1]?.w === 'now' ? end + 2 : end + 1, cased, false, lx), lx);
    // "Sister Carla", not "Child Care Subsidy": a bare relation starting a note names with a word English does not use.
    else if (next && !next.punct && (!bare || !lx || topicWeight(lx, next.w) >= 0.75)) named = peopleAt(tokens, end, cased, false, lx);
    if (named.length) {
      emit(owner, relation, named);
      continue;
    }
    // The person written before: "Archie (my son)", "grace (maya's mom)", "Archie, my son,", "Archie is my son", "Marcus = husband".
    const lead = tokens[start - 1];
    const from = bare ? start - 1 : start - 2;
    if (from < 0) continue;
    const sep = tokens[from];
    const closes = !next || next.punct;
    // Shorthand around a bare relation ("Marcus = husband", "Archie (son)") or a parenthesis around an owned one ("grace (maya's mom)").
    const strong = (bare && lead?.w === '=') || (bare && lead?.w === '(' && next?.w === ')') || (!bare && sep?.w === '(' && next?.w === ')');
    const weak = !bare && (sep?.w === ',' || sep?.w === 'is' || sep?.w === '-') && closes;
    const p = strong || weak ? personBefore(tokens, from, cased, strong, lx) : null;
    if (p) emit(owner, relation, [p]);
  }
  return out;
}

/**
 * The people after "my son is": a name ("Mum is Lorraine Doyle"), not what English says of someone
 * with a capital ("My husband is English", "Dad is Retired": WordNet's adjectives) nor someone whose
 * relation the sentence gives ("My son is Archie's best friend": Archie is not the son).
 */
function namedAfterIs(people: Person[], lx: Lexicon | null): Person[] {
  const adjective = (t: Token) => lx !== null && lx.baseForms(t.w).some((f) => f.pos === POS_CODES.a);
  return people.some((p) => p.tokens.some(adjective) || p.tokens[p.tokens.length - 1].poss) ? [] : people;
}

/** A dose or a count written right after a word ("dad: metformin 500", "mum: ramipril 5mg", "= 2 tabs"): that word is a thing, not a name. A phone number (0412 …) may follow a name. */
const AMOUNT = /^[1-9]\d{0,3}(\.\d+)?[a-zµ]*$/;

/** Words before a relation word that make the person someone else's, or a kind ("the partner", "his mum", "a friend"). */
const NOT_MINE = new Set('a an the his her their its your this that these those some any each every no other another'.split(' '));

/** How a question asks about someone by relation: whose ("me" or a name's term) and the relations in turn ("my partner's mother": partner, mother). */
export interface AskedPerson {
  phrase: string;
  /** The relation as written, without whose ("in-laws", "other half", "partner's mother"). */
  asked: string;
  owner: string;
  path: string[];
  /** The query word the relation is ("mother", "in_law", "half"). */
  word: string;
}

/** The people a question asks about by relation: "my son", "my two kids'", "Dan's mother", "my partner's mother", "Mum's address", "my in-laws". */
export function askedPeople(query: string, lx: Lexicon | null = lexiconIfLoaded()): AskedPerson[] {
  const tokens = tokenize(query);
  const out: AskedPerson[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const found = relationAt(tokens, i, lx);
    if (!found) continue;
    const start = phraseStart(tokens, i);
    const before = tokens[start - 1];
    let owner: string | null = null;
    // "my son", "our kids", "the kids", "Mum's address", "what's Dad's number", "is mum": the user's; "Dan's mother": Dan's; "rope partner", "his mum": nobody known.
    if (!before || before.punct || before.w === 'my' || before.w === 'our' || (before.w === 'the' && found.relation === 'child')) owner = 'me';
    else if (before.poss && !STOPWORDS.has(before.w) && !isRelationWord(before.w, lx)) owner = nameTerms(before.w)[0] ?? termOf(before.w);
    else if (STOPWORDS.has(before.w) && !NOT_MINE.has(before.w)) owner = 'me';
    // "what did Mother Teresa win?": a title, not the user's mother.
    const untold = titled(tokens, i, found.end, lx, owner !== 'me' || before?.w === 'my' || before?.w === 'our');
    if (!owner || POSSESSED_ONLY.has(found.relation) || untold) {
      i = found.end - 1;
      continue;
    }
    const path = [found.relation];
    let end = found.end;
    // "my partner's mother": the relation of a relation.
    while (tokens[end - 1].poss) {
      const more = relationAt(tokens, end, lx);
      if (!more) break;
      path.push(more.relation);
      end = more.end;
    }
    const from = before && !before.punct && (before.w === 'my' || before.w === 'our' || before.w === 'the' || owner !== 'me') ? start - 1 : start;
    const written = (at: number) =>
      tokens
        .slice(at, end)
        .map((t, k) => (k === end - at - 1 ? t.raw : t.written))
        .join(' ');
    const phrase = written(from);
    out.push({ phrase, asked: written(i), owner, path, word: tokens[end - 1].w });
    i = end - 1;
  }
  return out;
}

/** The relations a relation finds and how much each counts: itself and narrower ones fully, broader ones in part. */
function relationsFor(relation: string): Map<string, number> {
  const out = new Map<string, number>([[relation, 1]]);
  for (const [narrow, broad] of Object.entries(BROADER)) {
    if (broad === relation) out.set(narrow, 1);
    if (BROADER[broad] === relation) out.set(narrow, 1);
  }
  for (let up = BROADER[relation], share = BROADER_SHARE; up; up = BROADER[up], share *= BROADER_SHARE) if (!out.has(up)) out.set(up, share);
  return out;
}

/** The broadest relation a relation is a kind of ("husband": partner, "boy": child). */
function kindOf(relation: string): string {
  let kind = relation;
  while (BROADER[kind]) kind = BROADER[kind];
  return kind;
}

/**
 * What each memory states about who people are (`statedRelations`), kept by the full-text index as
 * memories are added, changed and removed, and by relation: a question about "my son" looks at the
 * memories that say who someone's son or child is, however many other memories use the word.
 */
export class StatedPeople {
  private readonly byMemory = new Map<number, StatedRelation[]>();
  private readonly byRelation = new Map<string, Set<number>>();

  put(rowid: number, text: string, lx: Lexicon | null): void {
    this.remove(rowid);
    this.add(rowid, statedRelations(text, lx));
  }

  remove(rowid: number): void {
    const stated = this.byMemory.get(rowid);
    if (!stated) return;
    this.byMemory.delete(rowid);
    for (const s of stated) {
      const memories = this.byRelation.get(s.relation);
      if (memories?.delete(rowid) && memories.size === 0) this.byRelation.delete(s.relation);
    }
  }

  private add(rowid: number, stated: StatedRelation[]): void {
    if (!stated.length) return;
    this.byMemory.set(rowid, stated);
    for (const s of stated) {
      let memories = this.byRelation.get(s.relation);
      if (!memories) this.byRelation.set(s.relation, (memories = new Set()));
      memories.add(rowid);
    }
  }

  /** The memories that state any of `relations`, newest first, each with all it states. */
  stating(relations: Iterable<string>): { rowid: number; relations: StatedRelation[] }[] {
    const rowids = new Set<number>();
    for (const r of relations) for (const rowid of this.byRelation.get(r) ?? []) rowids.add(rowid);
    return [...rowids].sort((a, b) => b - a).map((rowid) => ({ rowid, relations: this.byMemory.get(rowid)! }));
  }

  /**
   * What the memories state, as flat numbers for the memories of `rowids` (by their place in it)
   * that state something: the place, the count, then each as owner, relation and name (string
   * numbers), its term count and terms.
   */
  flatten(rowids: number[], id: (text: string) => number): Int32Array {
    const out: number[] = [];
    rowids.forEach((rowid, place) => {
      const stated = this.byMemory.get(rowid);
      if (!stated) return;
      out.push(place, stated.length);
      for (const s of stated) out.push(id(s.owner), id(s.relation), id(s.name), s.terms.length, ...s.terms.map(id));
    });
    return Int32Array.from(out);
  }

  /** Takes what `flatten` gave for these rowids; throws if it does not fit. */
  unflatten(flat: Int32Array, rowids: Float64Array, str: (n: number) => string): void {
    for (const rowid of [...this.byMemory.keys()]) this.remove(rowid);
    const damaged = () => new Error('damaged index snapshot');
    for (let at = 0; at < flat.length; ) {
      const rowid = rowids[flat[at]];
      const count = flat[at + 1];
      if (rowid === undefined || !(count > 0)) throw damaged();
      at += 2;
      const stated: StatedRelation[] = [];
      for (let k = 0; k < count; k++) {
        const n = flat[at + 3];
        if (!(n >= 0) || at + 4 + n > flat.length) throw damaged();
        stated.push({ owner: str(flat[at]), relation: str(flat[at + 1]), name: str(flat[at + 2]), terms: Array.from(flat.subarray(at + 4, at + 4 + n), str) });
        at += 4 + n;
      }
      this.add(rowid, stated);
    }
  }
}

/** A memory's id and the one it was saved as the update of, per version of its words in the index (a map of its own). */
const told = new WeakMap<object, { id: string; supersedes: string | null }>();

/**
 * The names a question reaches through the relations it asks about, from what the memories state
 * (kept by the full-text index): each as a term of the query word group the relation is, with the
 * memory that says who that is (the newest that does).
 */
export function peopleAsked(query: string, lexical: LexicalIndex, queries: MemoryQueries, lx: Lexicon | null = lexiconIfLoaded()): PersonTerm[] {
  const asked = askedPeople(query, lx);
  if (!asked.length) return [];
  // The memories that state one of the relations, newest first, with their ids: read once per version of a memory.
  const statementsOf = (relations: string[]): { id: string; relations: StatedRelation[]; supersedes: string | null }[] => {
    const stating = lexical.people.stating(relations);
    const versions = new Map<number, object | undefined>();
    const unread: number[] = [];
    for (const { rowid } of stating) {
      const version = lexical.termsOf(rowid);
      versions.set(rowid, version);
      if (!version || !told.has(version)) unread.push(rowid);
    }
    const fresh = new Map<number, { id: string; supersedes: string | null }>();
    for (const row of unread.length ? queries.getMany(unread) : []) {
      const t = { id: row.id, supersedes: row.supersedes };
      const version = versions.get(row.rowid);
      if (version) told.set(version, t);
      fresh.set(row.rowid, t);
    }
    const out: { id: string; relations: StatedRelation[]; supersedes: string | null }[] = [];
    for (const { rowid, relations } of stating) {
      const version = versions.get(rowid);
      const t = fresh.get(rowid) ?? (version && told.get(version));
      if (t) out.push({ id: t.id, relations, supersedes: t.supersedes });
    }
    return out;
  };
  type Reached = { terms: string[]; name: string; weight: number; via: string };
  // The people a relation of each owner reaches, with the memory that says so.
  const step = (owners: Map<string, number>, relation: string, share: number): Map<string, Reached> => {
    const found = relationsFor(relation);
    const out = new Map<string, Reached>();
    const statements = statementsOf([...found.keys()]);
    // "my partner is now Alex", saved as the update of "My partner is Dan": Dan is no longer the partner.
    const replaced = new Map<string, Set<string>>();
    for (const { relations, supersedes } of statements) {
      if (!supersedes) continue;
      const kinds = replaced.get(supersedes) ?? new Set();
      for (const s of relations) kinds.add(`${s.owner} ${kindOf(s.relation)}`);
      replaced.set(supersedes, kinds);
    }
    for (const { id, relations } of statements) {
      for (const s of relations) {
        if (replaced.get(id)?.has(`${s.owner} ${kindOf(s.relation)}`)) continue;
        const weight = (owners.get(s.owner) ?? 0) * (found.get(s.relation) ?? 0) * share;
        if (weight > (out.get(s.terms[0])?.weight ?? 0)) out.set(s.terms[0], { terms: s.terms, name: s.name, weight, via: id });
      }
    }
    return out;
  };
  const out: PersonTerm[] = [];
  for (const a of asked) {
    const paths = [a.path];
    const last = a.path[a.path.length - 1];
    for (const p of PATHS[last] ?? []) paths.push([...a.path.slice(0, -1), ...p]);
    const reached = new Map<string, Reached>();
    for (const [n, path] of paths.entries()) {
      let owners = new Map([[a.owner, 1]]);
      let at = new Map<string, Reached>();
      for (const [k, relation] of path.entries()) {
        at = step(owners, relation, n > 0 || k > 0 ? PATH_SHARE : 1);
        owners = new Map([...at].map(([key, r]) => [key, r.weight]));
      }
      for (const [key, r] of at) if (r.weight > (reached.get(key)?.weight ?? 0)) reached.set(key, r);
    }
    for (const r of reached.values()) {
      for (const term of r.terms) out.push({ group: a.word, phrase: a.phrase, asked: a.asked, name: r.name, term, weight: RELATION_WEIGHT.person * r.weight, via: r.via });
    }
  }
  return out;
}

/**
 * Adds the names a question reaches through relations to its word groups, each to the group of the
 * relation word (a group of its own when the word is no topic word: "other half"), as a `person`
 * match; returns the query words that gained names.
 */
export function addPeople(groups: QueryGroup[], people: PersonTerm[], lexical: LexicalIndex, lx: Lexicon | null = lexiconIfLoaded()): Set<string> {
  const reached = new Set<string>();
  for (const p of people) {
    if (!lexical.df(p.term)) continue;
    const forms = [p.group, ...words(p.group.replace(/-/g, ' ')), p.group.replace(/-s?$/, '').replace(/-/g, '_')];
    const asTerm = termOf(p.group);
    let group = groups.find((g) => g.query === p.group.replace(/-/g, '_').replace(/s$/, '') || forms.includes(g.query) || termOf(g.query) === asTerm);
    if (!group) {
      group = { query: p.group, weight: lx ? topicWeight(lx, p.group) : 1, terms: new Map() };
      groups.push(group);
    }
    const prev = group.terms.get(p.term);
    const match: { weight: number; relation: MemoryMatch['relation']; word: string; via: string; asked: string } = { weight: p.weight, relation: 'person', word: p.name, via: p.via, asked: p.asked };
    if (!prev || prev.weight < p.weight) group.terms.set(p.term, match);
    reached.add(group.query);
  }
  return reached;
}
