import type { Lexicon } from './lexicon/index.js';
import { wordVectors } from './vectors/index.js';

/**
 * British spellings in their American form ("colour" → color, "organised" → organized, "centres" →
 * centers, "programme" → program, "tyre" → tire), so a memory and a question match whichever
 * spelling each was written in, and WordNet and the word vectors are asked about the form their
 * corpora use most (WordNet's sense counts and the vectors' frequency come from American text).
 *
 * Regular patterns (-our/-or, -ise/-ize, -yse/-yze, -re/-er, -ogue/-og, -ence/-ense, ae/oe → e,
 * -lled/-led, -mme/-m) and a short list of words no pattern covers. A rewritten word is kept only
 * when WordNet knows both and calls them the same word: the two spellings share a sense ("colour"
 * and "color" name the same synsets, "tour" and "tor" do not, so "tour" stays; "Boeing" is no
 * spelling of "being"), and a doubled l is only an inflection's ("travelled" is traveled, but
 * "installed" is not "instaled").
 *
 * The American form is used when the word vectors (frequency ranks from American-leaning text) rank
 * it the commoner: a vector for it, ranked before the British form's or the British form having
 * none; or neither form has one. Where the British form is the commoner ("dialogue", "endeavour",
 * "archaeology", "sabre"), the American form is read as the British one (commonSpelling), so both
 * are searched under one term either way. That keeps the words American English spells the same
 * way: a doubled l after a stressed ending ("controlled", "compelling", "fulfilled", "patrolled";
 * only an unstressed one drops it, "travelled" → traveled), and -ise that is no -ize
 * ("advertising", "improvised", "reprise"); and no word loses its vector to a rarer spelling. A few
 * words are names or terms of their own that WordNet files with a commoner word ("louvre",
 * "timbre", "daemon", "prise"); they stay. Without the word-vector file, only the listed words are
 * rewritten.
 */
const PATTERNS: [RegExp, string][] = [
  // colour, colours, coloured, colourful, favourite, neighbourhood, behavioural, honourable
  [/^(\w*[aeiouy]\w*?)our(s|ed|ing|ful|fully|less|ite|ites|able|ably|hood|hoods|er|ers|ist|ists|al|ally|ly|y)?$/, '$1or$2'],
  // organise, organised, organising, organisation, realises, apologising
  [/^(\w{2,})is(e|es|ed|ing|er|ers|ation|ations|ational|able)$/, '$1iz$2'],
  // analyse, paralysed, catalysing
  [/^(\w+)ys(e|es|ed|ing|er|ers)$/, '$1yz$2'],
  // centre, centres → centers, centred → centered, theatre, metre, fibre
  [/^(\w+[^aeiou])re$/, '$1er'],
  [/^(\w+[^aeiou])res$/, '$1ers'],
  [/^(\w+[^aeiou])red$/, '$1ered'],
  // catalogue, dialogues
  [/^(\w+)ogue(s)?$/, '$1og$2'],
  // licence, defence, offences
  [/^(\w+)ence(s)?$/, '$1ense$2'],
  // paediatric, anaemia, oestrogen, manoeuvre, foetus
  [/^(\w*)[ao]e(\w+)$/, '$1e$2'],
  // programme, programmes
  [/^(\w+)mme(s)?$/, '$1m$2'],
];
/** travelled, cancelling, modeller: the same word as with one l, never another ("installed"). */
const DOUBLE_L: [RegExp, string] = [/^(\w+[aeiou])ll(ed|ing|er|ers)$/, '$1l$2'];

/** British words no pattern above covers, in their base form. */
const WORDS: Record<string, string> = {
  aeroplane: 'airplane',
  aluminium: 'aluminum',
  cheque: 'check',
  cosy: 'cozy',
  distil: 'distill',
  draught: 'draft',
  enrol: 'enroll',
  fulfil: 'fulfill',
  grey: 'gray',
  instalment: 'installment',
  jewellery: 'jewelry',
  manoeuvre: 'maneuver',
  kerb: 'curb',
  maths: 'math',
  mould: 'mold',
  moult: 'molt',
  mum: 'mom',
  plough: 'plow',
  practise: 'practice',
  pyjamas: 'pajamas',
  sceptic: 'skeptic',
  sceptical: 'skeptical',
  skilful: 'skillful',
  smoulder: 'smolder',
  storey: 'story',
  tyre: 'tire',
  wilful: 'willful',
};

/** Names and terms with a sense of their own, which WordNet also files under a commoner word. */
const KEEP = new Set(['louvre', 'louvres', 'timbre', 'timbres', 'daemon', 'daemons', 'prise', 'prised', 'prising']);

/** Shorter words have no British spelling the patterns could find ("tour", "four", "acre"). */
const MIN_LENGTH = 4;

/** The American spelling of a British word, or null (already American, the British form is the commoner, not a spelling WordNet confirms, or no word). */
export function americanSpelling(lx: Lexicon, word: string): string | null {
  if (/[^a-z]/.test(word) || KEEP.has(word)) return null;
  const vectors = wordVectors();
  for (const candidate of americanForms(lx, word, vectors !== null)) if (!vectors || commoner(word, candidate)) return candidate;
  return null;
}

/**
 * The one spelling both forms of a British/American pair are searched under: the American form
 * when the vectors rank it commoner (or neither form has a vector), else the British form
 * ("dialog" → dialogue, "endeavor" → endeavour, "archeology" → archaeology). Null when the word
 * is that spelling already or has no other.
 */
export function commonSpelling(lx: Lexicon, word: string): string | null {
  // A word with two British features takes one step per feature ("anaesthetise" → anaesthetize → anesthetize).
  let out: string | null = null;
  for (let next = otherSpelling(lx, word), steps = 0; next && next !== word && next !== out && steps < 4; next = otherSpelling(lx, next), steps++) out = next;
  return out;
}

function otherSpelling(lx: Lexicon, word: string): string | null {
  const american = americanSpelling(lx, word);
  if (american) return american;
  const vectors = wordVectors();
  if (/[^a-z]/.test(word) || word.length < MIN_LENGTH - 1 || !vectors) return null;
  for (const british of britishCandidates(word)) {
    // A British form the commoner has a word vector: that check first, it is the cheap one.
    if (!vectors.get(british) || KEEP.has(british) || commoner(british, word) || !americanForms(lx, british, true).includes(word)) continue;
    return americanSpelling(lx, british) ?? british;
  }
  return null;
}

/** The American spellings the patterns and the list give a British word and WordNet confirms, whichever is commoner (the list first, then the patterns in order). */
export function americanForms(lx: Lexicon, word: string, patterns: boolean): string[] {
  const out: string[] = [];
  const listed = WORDS[word] ?? WORDS[lx.baseForm(word) ?? ''];
  if (listed && sameWord(lx, word, listed)) out.push(listed);
  if (word.length < MIN_LENGTH || !patterns) return out;
  for (const [pattern, replacement] of PATTERNS) {
    if (!pattern.test(word)) continue;
    const candidate = word.replace(pattern, replacement);
    if (candidate !== word && !out.includes(candidate) && sameWord(lx, word, candidate)) out.push(candidate);
  }
  if (DOUBLE_L[0].test(word)) {
    const candidate = word.replace(DOUBLE_L[0], DOUBLE_L[1]);
    const lemmas = (w: string) => new Set(lx.baseForms(w).map((f) => f.lemmaId));
    const mine = lemmas(word);
    if (!out.includes(candidate) && [...lemmas(candidate)].some((l) => mine.has(l))) out.push(candidate);
  }
  return out;
}

/** American to British, each rule above backwards; a candidate counts only if the rules lead from it back to the word. */
const BACKWARDS: [string, string][] = [
  ['or', 'our'],
  ['iz', 'is'],
  ['yz', 'ys'],
  ['er', 're'],
  ['og', 'ogue'],
  ['ense', 'ence'],
  ['e', 'ae'],
  ['e', 'oe'],
  ['m', 'mme'],
  ['l', 'll'],
];
const LISTED_BRITISH = new Map<string, string[]>();
for (const [british, american] of Object.entries(WORDS)) LISTED_BRITISH.set(american, [...(LISTED_BRITISH.get(american) ?? []), british]);

/** British spellings that could have given this word, by the patterns and the list, not yet checked. */
function britishCandidates(word: string): string[] {
  const out = new Set<string>(LISTED_BRITISH.get(word) ?? []);
  for (const [from, to] of BACKWARDS) {
    for (let i = word.indexOf(from); i >= 0; i = word.indexOf(from, i + 1)) out.add(word.slice(0, i) + to + word.slice(i + from.length));
  }
  return [...out];
}

/**
 * Whether the American form is the commoner by the word vectors: it has a vector ranked before the
 * British form's, or the British form has none; or neither has one (both rare: the American form,
 * as the spelling WordNet and most text use).
 */
function commoner(british: string, american: string): boolean {
  const vectors = wordVectors();
  const theirs = vectors?.get(american);
  const mine = vectors?.get(british);
  if (!theirs) return !mine;
  return !mine || theirs.rank < mine.rank;
}

/** Whether WordNet knows both words and gives them a sense in common. */
function sameWord(lx: Lexicon, british: string, american: string): boolean {
  const theirs = lx.baseForms(american);
  const mine = lx.baseForms(british);
  if (!theirs.length || !mine.length) return false;
  const senses = new Set(mine.flatMap((f) => lx.senses(f.lemmaId).filter((s) => s.pos === f.pos).map((s) => s.synset)));
  return theirs.some((f) => lx.senses(f.lemmaId).some((s) => s.pos === f.pos && senses.has(s.synset)));
}
