import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { POS_CODES, relationOf, type PosCode, type Sections } from './format.js';

/** Inflected form → base form, per part of speech (WordNet's exception lists). */
export interface Exceptions {
  noun: Record<string, string>;
  verb: Record<string, string>;
  adj: Record<string, string>;
}

const FILES = [
  ['noun', 0],
  ['verb', 1],
  ['adj', 2],
  ['adv', 3],
] as const;
/** Query words with more senses than this say too little to expand ("go", "run", "work"). */
const MAX_EXPANDED_SENSES = 20;
const SENSES_PER_POS = 2;

type IndexEntry = { lemma: string; pos: PosCode; keys: number[]; tagged: number };
type Synset = { key: number; pos: PosCode; lemmas: string[]; pointers: [string, number][]; gloss: string };

/**
 * Builds the compact lexicon from WordNet's text files: every lemma with its senses in order of use
 * (and how often the tagged corpus used each), the senses a query word is expanded by, synsets with
 * their lemmas, relations and the first clause of their definition, and the exception lists that
 * map irregular forms ("children", "went") to base forms. Yields to the event loop between chunks,
 * so building it (about a second, once per machine) never freezes the app.
 */
export async function buildLexicon(dictDir: string, exceptions: Exceptions): Promise<Sections> {
  const tick = chunker();
  const entries: IndexEntry[] = [];
  for (const [file, pos] of FILES) {
    for (const line of (await readFile(join(dictDir, `index.${file}`), 'utf8')).split('\n')) {
      if (tick()) await pause();
      if (!line || line.startsWith(' ')) continue;
      const f = line.split(' ');
      const synsetCount = Number(f[2]);
      const pointerCount = Number(f[3]);
      const tagged = Number(f[4 + pointerCount + 1]);
      const first = 4 + pointerCount + 2;
      const keys: number[] = [];
      for (let i = 0; i < synsetCount; i++) keys.push(Number(f[first + i]) * 4 + pos);
      if (lemmaKey(f[0])) entries.push({ lemma: lemmaKey(f[0]), pos, keys, tagged });
    }
  }
  const tagCounts = new Map<string, number>();
  for (const line of (await readFile(join(dictDir, 'index.sense'), 'utf8')).split('\n')) {
    if (tick()) await pause();
    if (!line) continue;
    const [key, offset, , count] = line.split(' ');
    const cut = key.indexOf('%');
    const ssType = Number(key[cut + 1]);
    const pos = ssType === 1 ? 0 : ssType === 2 ? 1 : ssType === 4 ? 3 : 2;
    if (Number(count) > 0) tagCounts.set(`${lemmaKey(key.slice(0, cut))}|${Number(offset) * 4 + pos}`, (tagCounts.get(`${lemmaKey(key.slice(0, cut))}|${Number(offset) * 4 + pos}`) ?? 0) + Number(count));
  }
  const synsets: Synset[] = [];
  for (const [file, pos] of FILES) {
    for (const line of (await readFile(join(dictDir, `data.${file}`), 'utf8')).split('\n')) {
      if (tick()) await pause();
      if (!line || line.startsWith(' ')) continue;
      const f = line.split(' ');
      const wordCount = parseInt(f[3], 16);
      const lemmas: string[] = [];
      for (let w = 0; w < wordCount; w++) lemmas.push(lemmaKey(f[4 + w * 2].replace(/\(.*\)$/, '')));
      let i = 4 + wordCount * 2;
      const pointerCount = Number(f[i++]);
      const pointers: [string, number][] = [];
      for (let k = 0; k < pointerCount; k++, i += 4) pointers.push([f[i], Number(f[i + 1]) * 4 + POS_CODES[f[i + 2] as keyof typeof POS_CODES]]);
      const bar = line.indexOf(' | ');
      const gloss = bar > 0 ? line.slice(bar + 3).split(';')[0].trim().slice(0, 160) : '';
      synsets.push({ key: Number(f[0]) * 4 + pos, pos, lemmas, pointers, gloss });
    }
  }
  const synsetIndex = new Map<number, number>();
  synsets.forEach((s, i) => synsetIndex.set(s.key, i));

  const lemmaSet = new Set<string>(entries.map((e) => e.lemma));
  for (const s of synsets) s.lemmas = s.lemmas.filter(Boolean);
  for (const s of synsets) for (const l of s.lemmas) lemmaSet.add(l);
  const lemmas = [...lemmaSet].sort(byBytes);
  const lemmaIndex = new Map(lemmas.map((l, i) => [l, i]));
  const byLemma = new Map<string, IndexEntry[]>();
  for (const e of entries) {
    const list = byLemma.get(e.lemma);
    if (list) list.push(e);
    else byLemma.set(e.lemma, [e]);
  }

  // A synset's best rank among the tagged senses of any of its lemmas: a lemma nobody tagged
  // ("colour") orders its senses as its tagged synonyms do ("color").
  const rank = new Map<number, number>();
  for (const e of entries) for (let i = 0; i < Math.min(e.tagged, e.keys.length); i++) rank.set(e.keys[i], Math.min(rank.get(e.keys[i]) ?? i, i));
  const ordered = (e: IndexEntry) => (e.tagged > 0 ? e.keys : [...e.keys].sort((a, b) => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity)));
  const used = (e: IndexEntry) => e.tagged > 0 || e.keys.some((k) => (rank.get(k) ?? Infinity) < SENSES_PER_POS);

  const compounds = new Map<string, number[]>();
  synsets.forEach((s, id) => {
    for (const n of s.lemmas) {
      const cut = n.indexOf('_');
      if (cut <= 0 || n.indexOf('_', cut + 1) >= 0) continue;
      const list = compounds.get(n.slice(0, cut)) ?? [];
      if (list[list.length - 1] !== id) list.push(id);
      compounds.set(n.slice(0, cut), list);
    }
  });

  const lemmaText = new StringTable();
  const senses = new IntTable();
  const expand = new IntTable();
  const compoundTable = new IntTable();
  for (const lemma of lemmas) {
    if (tick()) await pause();
    lemmaText.add(lemma);
    const list = byLemma.get(lemma) ?? [];
    const own: number[] = [];
    for (const e of list) for (const k of e.keys) own.push(synsetIndex.get(k)!, ((tagCounts.get(`${lemma}|${k}`) ?? 0) << 3) | e.pos);
    senses.add(own);
    // The senses a query word is expanded by: a part of speech the tagged corpus never saw it in is
    // skipped when another was seen ("dental" is an adjective, not the phonetics noun).
    if (list.reduce((n, e) => n + e.keys.length, 0) > MAX_EXPANDED_SENSES) expand.add([-1]);
    else {
      const seen = list.some(used);
      const out: number[] = [];
      for (const e of list) if (!seen || used(e)) out.push(...ordered(e).slice(0, SENSES_PER_POS).map((k) => synsetIndex.get(k)!));
      expand.add(out);
    }
    compoundTable.add(compounds.get(lemma) ?? []);
  }

  const exc: [string, number][] = [];
  for (const [map, pos] of [
    [exceptions.noun, 0],
    [exceptions.verb, 1],
    [exceptions.adj, 2],
  ] as const) {
    for (const [form, base] of Object.entries(map)) {
      const target = lemmaIndex.get(lemmaKey(base));
      if (target !== undefined && lemmaKey(form) !== lemmaKey(base)) exc.push([lemmaKey(form), (target << 3) | pos]);
    }
  }
  exc.sort((a, b) => byBytes(a[0], b[0]));
  const excText = new StringTable();
  const excTargets = new IntTable();
  for (let i = 0; i < exc.length; ) {
    const form = exc[i][0];
    const targets: number[] = [];
    for (; i < exc.length && exc[i][0] === form; i++) targets.push(exc[i][1]);
    excText.add(form);
    excTargets.add(targets);
  }

  const synPos = new Uint8Array(synsets.length);
  const synLemmas = new IntTable();
  const synRels = new IntTable();
  const gloss = new StringTable();
  for (const [i, s] of synsets.entries()) {
    if (tick()) await pause();
    synPos[i] = s.pos;
    synLemmas.add(s.lemmas.map((l) => lemmaIndex.get(l)!));
    const rels: number[] = [];
    for (const [symbol, key] of s.pointers) {
      const rel = relationOf(symbol);
      const target = synsetIndex.get(key);
      if (rel && target !== undefined && target !== i) rels.push((rel << 24) | target);
    }
    synRels.add([...new Set(rels)]);
    gloss.add(s.gloss);
  }
  return {
    lemmaText: lemmaText.bytes(),
    lemmaTextAt: lemmaText.offsets(),
    lemmaSensesAt: senses.offsets(),
    lemmaSenses: senses.values(),
    lemmaExpandAt: expand.offsets(),
    lemmaExpand: expand.values(),
    lemmaCompoundsAt: compoundTable.offsets(),
    lemmaCompounds: compoundTable.values(),
    excText: excText.bytes(),
    excTextAt: excText.offsets(),
    excTargetsAt: excTargets.offsets(),
    excTargets: excTargets.values(),
    synPos,
    synLemmasAt: synLemmas.offsets(),
    synLemmas: synLemmas.values(),
    synRelsAt: synRels.offsets(),
    synRels: synRels.values(),
    gloss: gloss.bytes(),
    glossAt: gloss.offsets(),
  };
}

/**
 * A lemma as the text side spells its words: lower case, accents dropped, punctuation gone, words
 * joined by "_" ("Dr." → dr, "T-shirt" → t_shirt), so lookups find what tokenised text contains.
 */
export function lemmaKey(lemma: string): string {
  return lemma
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '_')
    .replace(/^_+|_+$/g, '');
}

// Lemmas are ASCII but for a few accented names; code-unit order is their UTF-8 byte order.
function byBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function chunker(): () => boolean {
  let n = 0;
  return () => ++n % 4000 === 0;
}

function pause(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

class StringTable {
  private readonly parts: Buffer[] = [];
  private readonly at: number[] = [0];
  add(text: string): void {
    const b = Buffer.from(text);
    this.parts.push(b);
    this.at.push(this.at[this.at.length - 1] + b.length);
  }
  bytes(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.parts));
  }
  offsets(): Int32Array {
    return Int32Array.from(this.at);
  }
}

class IntTable {
  private readonly all: number[] = [];
  private readonly at: number[] = [0];
  add(values: readonly number[]): void {
    for (const v of values) this.all.push(v);
    this.at.push(this.all.length);
  }
  values(): Int32Array {
    return Int32Array.from(this.all);
  }
  offsets(): Int32Array {
    return Int32Array.from(this.at);
  }
}
