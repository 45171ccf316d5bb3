import { normalizeForDedup } from './text.js';

/** Question words a question about a thing begins with. */
const WH = new Set(['what', 'which', 'who', 'whom', 'whose', 'when', 'where', 'how']);
/** "how much is …", "how old was …": the kind of value asked, then the copula. */
const HOW_VALUE = new Set(['much', 'many', 'old', 'long', 'often', 'tall', 'big', 'far', 'heavy', 'late', 'early', 'soon', 'high', 'wide', 'deep']);
const COPULA = new Set(['is', 'are', 'was', 'were', 'am']);
/** Words inside the noun phrase that name no part of the thing: articles, possessive and personal pronouns. */
const NOT_THE_THING = new Set([
  ...'the a an my our your his her their its this that these those some any all every each'.split(' '),
  ...'i we you he she they it me us him them'.split(' '),
]);
const ARTICLES = new Set(['a', 'an', 'the']);
/** Pronouns that start a clause of their own inside the phrase. */
const SUBJECTS = new Set('i we you he she they'.split(' '));
/** Words that end the noun phrase: prepositions other than "of" and "for", which say which thing ("the director of nursing", "the password for the staff wifi"), verbs' helpers, conjunctions. */
const PHRASE_ENDS = new Set(
  'to at in on with from by about into onto over under after before near per during across through around between while since until if than so as when where which who that do does did can could should would will shall have has had must may might'.split(' '),
);
/**
 * Words for the period a value is given per ("the monthly rent", "the weekly shop"): like "per month",
 * they say what kind of value is asked, not which thing, and a note says them with the value ("rent
 * $2,350/mo").
 */
const PER_PERIOD = new Set('hourly daily nightly weekly biweekly fortnightly monthly bimonthly quarterly yearly annual annually biannual'.split(' '));
/** Words for when or where that name no part of the thing, though WordNet also reads them as nouns ("what's Dan's number now?", "when was the boiler last serviced?"). */
const DEICTIC = new Set('now then here there today tonight tomorrow yesterday nowadays lately last next'.split(' '));
/** Heads that say what sort of thing is asked, not which: "the name of Tom's wife" asks about his wife. */
const LIGHT_HEADS = new Set(['name', 'kind', 'type', 'sort']);

/**
 * What a question of the form "what/who/when/where/how much is X?" asks about: the words of X, its
 * owner and what an "of" or "for" says of it included, and its head, the word that says what about
 * the thing is asked ("What's Dan's mobile number?": dan, mobile, number, head number; "Who is the
 * director of nursing at TGH?": director, nursing, head director; "What is the name of Tom's wife?":
 * tom, wife; "How much is the monthly rent?": rent, the period saying what kind of value is asked),
 * and the verb after them that says what is done to it (`verb`: "When was the boiler last serviced?":
 * boiler, serviced; "What is the home wifi network called?": home, wifi, network, called).
 * Null for any other question or message: one whose verb carries its meaning ("what oven does Sofia
 * use?"), one of several clauses or alternatives, a request, a problem told.
 * `verbOnly`: whether a word can only be a verb (or its participle), never a noun ("called", "stored");
 * `adverbOnly`: whether a word can only be an adverb ("again", "currently").
 */
export function askedThing(
  query: string,
  verbOnly: (word: string) => boolean = () => false,
  adverbOnly: (word: string) => boolean = () => false,
): { words: string[]; head: string; verb?: string } | null {
  if (/\b(and|or)\b|[,;:/&+]/i.test(query)) return null;
  const raw = [...query.matchAll(/[\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*(?:['’]\p{L}*)?/gu)].map((m) => m[0]);
  // Contractions: "what's" is "what is", "Dan's" is Dan's (the owner's name), "I've" is I.
  const ws: string[] = [];
  for (const token of raw) {
    const [base, suffix] = token.split(/['’]/);
    const w = normalizeForDedup(base);
    if (!w) continue;
    ws.push(w);
    if (suffix?.toLowerCase() === 's' && WH.has(w)) ws.push('is');
    else if (suffix?.toLowerCase() === 're' && WH.has(w)) ws.push('are');
  }
  if (!WH.has(ws[0] ?? '')) return null;
  let i = 1;
  if (ws[0] === 'how') {
    if (!HOW_VALUE.has(ws[i] ?? '')) return null;
    i++;
  }
  if (!COPULA.has(ws[i] ?? '')) return null;
  i++;
  const out: string[] = [];
  let head: string | null = null;
  let verb: string | undefined;
  for (; i < ws.length; i++) {
    const w = ws[i];
    if (PHRASE_ENDS.has(w) || COPULA.has(w)) break;
    // A pronoun starts a clause of its own ("the hardest grade I've sent"); a verb says what is done
    // to the thing ("what is the home wifi network called?", "where are the winter tires stored?").
    if (SUBJECTS.has(w) && out.length) break;
    if (verbOnly(w) && out.length) {
      verb = w;
      break;
    }
    // An article after the thing's words starts a phrase of its own, a rate ("choir fees a term",
    // "parking a day"); after "of" or "for" it begins what they say of the thing.
    if (ARTICLES.has(w) && out.length && ws[i - 1] !== 'of' && ws[i - 1] !== 'for') break;
    if (w === 'of' || w === 'for') {
      head ??= out.at(-1) ?? null;
      continue;
    }
    if (NOT_THE_THING.has(w) || PER_PERIOD.has(w)) continue;
    // An adverb says how or when, not which thing, wherever it stands ("what's the wifi password
    // again?" asks about the wifi password, its head "password"; "what is currently the wifi password?").
    if (DEICTIC.has(w) || adverbOnly(w)) continue;
    if (LIGHT_HEADS.has(w) && ws[i + 1] === 'of') continue;
    for (const part of w.split(' ')) out.push(part);
  }
  if (!out.length) return null;
  return verb ? { words: out, head: head ?? out.at(-1)!, verb } : { words: out, head: head ?? out.at(-1)! };
}
