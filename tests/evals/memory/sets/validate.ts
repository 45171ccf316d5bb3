/**
 * Checks the shape and internal consistency of the memory eval sets (`tests/evals/memory/sets/*.json`):
 * unique keys and texts, every referenced key present and named once per question, enough questions
 * of each kind, enough distinct knowledge updates, each ordered by age with the newer memory not
 * also among the older ones, and exact duplicates that really are the same text. A held-out set's
 * problems name no key, question or text of it.
 *   node --import tsx tests/evals/memory/sets/validate.ts   (prints each set's counts)
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Area = 'main' | 'fragments' | 'solutions' | 'instruments';
export type Kind = 'lexical' | 'paraphrase' | 'update' | 'multi' | 'solution' | 'unanswerable';

export interface EvalMemory {
  key: string;
  area: Area;
  daysAgo: number;
  text: string;
}
export interface EvalQuestion {
  kind: Kind;
  q: string;
  expect: string[];
  older?: string[];
}
export interface EvalDuplicate {
  of: string;
  kind: 'exact' | 'reworded';
  text: string;
}
export interface EvalSet {
  name: string;
  split: 'tune' | 'heldout';
  description: string;
  memories: EvalMemory[];
  questions: EvalQuestion[];
  duplicates: EvalDuplicate[];
}

export const SETS_DIR = import.meta.dirname;

/** The fewest of each kind a set must have. */
export const MINIMUM: Record<Kind, number> = { lexical: 20, paraphrase: 25, update: 20, multi: 15, solution: 15, unanswerable: 10 };
export const MIN_MEMORIES = 280;
export const MIN_QUESTIONS = 100;
export const MIN_DUPLICATES = { exact: 20, reworded: 20 };
/** The fewest distinct knowledge updates (older, newer pairs of memories) the update questions ask about. */
export const MIN_UPDATE_PAIRS = 20;

const AREAS = new Set<Area>(['main', 'fragments', 'solutions', 'instruments']);
const KINDS = new Set<Kind>(Object.keys(MINIMUM) as Kind[]);

/** What is left of a text once case, punctuation and spacing no longer count. */
export function normaliseText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function loadSets(dir = SETS_DIR): EvalSet[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as EvalSet);
}

/** The distinct knowledge updates a set's update questions ask about, as `older>newer` key pairs. */
export function updatePairs(set: EvalSet): Set<string> {
  const pairs = new Set<string>();
  for (const q of set.questions) {
    if (q.kind !== 'update') continue;
    for (const older of q.older ?? []) for (const newer of q.expect) if (older !== newer) pairs.add(`${older}>${newer}`);
  }
  return pairs;
}

/**
 * Where two texts part after normalising: the words that differ, with a word of context when one side
 * has none of its own, so a writer sees that "25kg" is not "25 kg".
 */
export function normalisedDifference(a: string, b: string): [string, string] {
  const wa = normaliseText(a).split(' ').filter(Boolean);
  const wb = normaliseText(b).split(' ').filter(Boolean);
  let start = 0;
  while (start < wa.length && start < wb.length && wa[start] === wb[start]) start++;
  let end = 0;
  while (end < wa.length - start && end < wb.length - start && wa[wa.length - 1 - end] === wb[wb.length - 1 - end]) end++;
  if (start === wa.length - end || start === wb.length - end) {
    if (start > 0) start--;
    else if (end > 0) end--;
  }
  return [wa.slice(start, wa.length - end).join(' '), wb.slice(start, wb.length - end).join(' ')];
}

export function countKinds(set: EvalSet): Record<Kind, number> {
  const counts = { lexical: 0, paraphrase: 0, update: 0, multi: 0, solution: 0, unanswerable: 0 };
  for (const q of set.questions) if (KINDS.has(q.kind)) counts[q.kind]++;
  return counts;
}

/**
 * Every problem found in one set; an empty list means the set is usable. A held-out set's problems
 * name its memories, questions and duplicates by their place ("memory 12", "question 3 (update)"),
 * never by their keys or words: whoever reads them must not learn what the set asks.
 */
export function problemsOf(set: EvalSet): string[] {
  const problems: string[] = [];
  const say = (p: string) => problems.push(`${set.name ?? '?'}: ${p}`);
  const open = set.split === 'tune';
  const places = new Map<string, number>();
  set.memories.forEach((m, i) => places.has(m.key) || places.set(m.key, i));
  /** A key as a problem names it: itself, or in a held-out set the place of its memory. */
  const ref = (k: string) => (open ? k : places.has(k) ? `memory ${places.get(k)! + 1}` : 'a key');
  if (typeof set.name !== 'string' || !/^[a-z0-9-]+$/.test(set.name)) say(`name "${set.name}" is not a short id`);
  if (set.split !== 'tune' && set.split !== 'heldout') say(`split "${set.split}" is neither tune nor heldout`);
  if (typeof set.description !== 'string' || set.description.length < 20) say('description is missing');

  const byKey = new Map<string, EvalMemory>();
  const byText = new Map<string, string>();
  set.memories.forEach((m, i) => {
    const name = open ? m.key : `memory ${i + 1}`;
    if (byKey.has(m.key)) say(open ? `key ${m.key} is used twice` : `${name} has the key of ${ref(m.key)}`);
    byKey.set(m.key, m);
    if (!AREAS.has(m.area)) say(`${name}: area "${m.area}" is unknown`);
    if (!Number.isInteger(m.daysAgo) || m.daysAgo < 0) say(`${name}: daysAgo ${m.daysAgo} is not a whole number of days`);
    if (typeof m.text !== 'string' || m.text.trim().length < 8) say(`${name}: text is too short`);
    const norm = normaliseText(m.text);
    const same = byText.get(norm);
    if (same) say(`${name} has the same text as ${ref(same)} (an import would merge them)`);
    byText.set(norm, m.key);
  });
  if (set.memories.length < MIN_MEMORIES) say(`${set.memories.length} memories, want at least ${MIN_MEMORIES}`);

  const asked = new Set<string>();
  set.questions.forEach((q, i) => {
    const where = open ? `question "${q.q}"` : `question ${i + 1} (${q.kind})`;
    if (!KINDS.has(q.kind)) say(`${where}: kind "${q.kind}" is unknown`);
    if (asked.has(q.q.toLowerCase())) say(`${where} is asked twice`);
    asked.add(q.q.toLowerCase());
    for (const k of [...q.expect, ...(q.older ?? [])]) if (!byKey.has(k)) say(`${where}: ${open ? `key ${k}` : 'a key'} does not exist`);
    for (const [field, keys] of [['expect', q.expect], ['older', q.older ?? []]] as const) {
      const repeated = new Set(keys.filter((k, i) => keys.indexOf(k) !== i));
      for (const k of repeated) say(`${where}: ${ref(k)} is listed twice in ${field}`);
    }
    if (q.kind === 'unanswerable' && q.expect.length) say(`${where}: unanswerable but expects ${q.expect.map(ref).join(', ')}`);
    if (q.kind !== 'unanswerable' && !q.expect.length) say(`${where}: expects nothing`);
    if (q.kind === 'multi' && (q.expect.length < 2 || q.expect.length > 3)) say(`${where}: multi-evidence needs 2-3 memories`);
    if (q.kind !== 'multi' && q.kind !== 'unanswerable' && q.expect.length !== 1) say(`${where}: expects ${q.expect.length} memories, want 1`);
    if (q.kind === 'update') {
      if (!q.older?.length) say(`${where}: an update question names no older memory`);
      const newer = byKey.get(q.expect[0]);
      for (const o of q.older ?? []) {
        const old = byKey.get(o);
        if (o === q.expect[0]) say(`${where}: ${ref(o)} is both the newer memory and an older one`);
        else if (newer && old && old.daysAgo <= newer.daysAgo) say(`${where}: older ${ref(o)} is not older than ${ref(newer.key)}`);
      }
    } else if (q.older?.length) say(`${where}: only update questions name older memories`);
    if (q.kind === 'solution') for (const k of q.expect) if (byKey.get(k) && byKey.get(k)!.area !== 'solutions') say(`${where}: ${ref(k)} is not in solutions`);
  });
  const counts = countKinds(set);
  for (const kind of KINDS) if (counts[kind] < MINIMUM[kind]) say(`${counts[kind]} ${kind} questions, want at least ${MINIMUM[kind]}`);
  if (set.questions.length < MIN_QUESTIONS) say(`${set.questions.length} questions, want at least ${MIN_QUESTIONS}`);
  const pairs = updatePairs(set).size;
  if (pairs < MIN_UPDATE_PAIRS) say(`update questions ask about ${pairs} distinct knowledge updates (older, newer pairs), want at least ${MIN_UPDATE_PAIRS}`);

  // A duplicate of either side of a knowledge update would blur which value is current.
  const updated = new Set(set.questions.filter((q) => q.kind === 'update').flatMap((q) => [...q.expect, ...(q.older ?? [])]));
  const dupCounts = { exact: 0, reworded: 0 };
  const dupTexts = new Set<string>();
  set.duplicates.forEach((d, i) => {
    const of = byKey.get(d.of);
    const where = open ? `duplicate "${d.text}"` : `duplicate ${i + 1}`;
    if (!of) {
      say(`${where}: ${open ? `key ${d.of}` : 'its key'} does not exist`);
      return;
    }
    if (updated.has(d.of)) say(`${where}: ${ref(d.of)} is part of a knowledge update`);
    if (d.kind !== 'exact' && d.kind !== 'reworded') say(`${where}: kind "${d.kind}" is unknown`);
    else dupCounts[d.kind]++;
    if (dupTexts.has(d.text)) say(`${where} is listed twice`);
    dupTexts.add(d.text);
    const norm = normaliseText(d.text);
    if (d.kind === 'exact' && norm !== normaliseText(of.text)) {
      const [mine, theirs] = normalisedDifference(d.text, of.text);
      say(`${where}: not the same text as ${ref(d.of)} after normalising${open ? ` ("${mine}" vs "${theirs}")` : ''}`);
    }
    if (d.kind === 'exact' && d.text === of.text) say(`${where}: identical to ${ref(d.of)}; vary case, spacing or punctuation`);
    if (d.kind === 'reworded' && byText.has(norm)) say(`${where}: reworded, but the same text as ${ref(byText.get(norm)!)}`);
  });
  if (dupCounts.exact < MIN_DUPLICATES.exact) say(`${dupCounts.exact} exact duplicates, want at least ${MIN_DUPLICATES.exact}`);
  if (dupCounts.reworded < MIN_DUPLICATES.reworded) say(`${dupCounts.reworded} reworded duplicates, want at least ${MIN_DUPLICATES.reworded}`);
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let bad = 0;
  for (const set of loadSets()) {
    const problems = problemsOf(set);
    bad += problems.length;
    const dups = { exact: set.duplicates.filter((d) => d.kind === 'exact').length, reworded: set.duplicates.filter((d) => d.kind === 'reworded').length };
    console.log(
      `${set.name} (${set.split}): ${set.memories.length} memories, ${set.questions.length} questions ${JSON.stringify(countKinds(set))}, ` +
        `${updatePairs(set).size} knowledge updates, duplicates ${JSON.stringify(dups)}`,
    );
    for (const p of problems) console.log(`  ${p}`);
  }
  process.exit(bad ? 1 : 0);
}
