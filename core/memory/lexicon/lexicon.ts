import { findSorted } from '../sorted-text.js';
import type { PosCode, Sections } from './format.js';

export interface Sense {
  synset: number;
  pos: PosCode;
  /** How often WordNet's tagged corpus used the word in this sense. */
  tagCount: number;
  /** 0 for the word's most used sense in this part of speech. */
  rank: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Morphy's detachment rules: suffix → replacement, per part of speech.
const DETACH: Record<0 | 1 | 2, [string, string][]> = {
  0: [['s', ''], ['ses', 's'], ['xes', 'x'], ['zes', 'z'], ['ches', 'ch'], ['shes', 'sh'], ['men', 'man'], ['ies', 'y']],
  1: [['s', ''], ['ies', 'y'], ['es', 'e'], ['es', ''], ['ed', 'e'], ['ed', ''], ['ing', 'e'], ['ing', '']],
  2: [['er', ''], ['est', ''], ['er', 'e'], ['est', 'e']],
};

/**
 * Read access to the compact WordNet file: lemmas by binary search over sorted bytes, senses,
 * relations and definitions by index. Nothing is decoded until asked for.
 */
export class Lexicon {
  constructor(private readonly s: Sections) {}

  get synsetCount(): number {
    return this.s.synPos.length;
  }

  /** Lemma ids run from 0 to lemmaCount - 1. */
  get lemmaCount(): number {
    return this.s.lemmaTextAt.length - 1;
  }

  /** The lemma's index, or -1. `lemma` is lower case with "_" between words. */
  lemmaId(lemma: string): number {
    return findSorted(this.s.lemmaText, this.s.lemmaTextAt, encoder.encode(lemma));
  }

  lemma(id: number): string {
    return decoder.decode(this.s.lemmaText.subarray(this.s.lemmaTextAt[id], this.s.lemmaTextAt[id + 1]));
  }

  senses(lemmaId: number): Sense[] {
    const out: Sense[] = [];
    const { lemmaSenses: v, lemmaSensesAt: at } = this.s;
    let rank = 0;
    let pos = -1;
    for (let i = at[lemmaId]; i < at[lemmaId + 1]; i += 2) {
      const p = (v[i + 1] & 7) as PosCode;
      rank = p === pos ? rank + 1 : 0;
      pos = p;
      out.push({ synset: v[i], pos: p, tagCount: v[i + 1] >> 3, rank });
    }
    return out;
  }

  /** Senses to expand a query word by, or null when it has too many to say anything. */
  expansionSenses(lemmaId: number): number[] | null {
    const { lemmaExpand: v, lemmaExpandAt: at } = this.s;
    if (at[lemmaId + 1] > at[lemmaId] && v[at[lemmaId]] === -1) return null;
    return Array.from(v.subarray(at[lemmaId], at[lemmaId + 1]));
  }

  /** Synsets named by a two-word compound that starts with the lemma ("dental_practitioner"). */
  compounds(lemmaId: number): number[] {
    return Array.from(this.s.lemmaCompounds.subarray(this.s.lemmaCompoundsAt[lemmaId], this.s.lemmaCompoundsAt[lemmaId + 1]));
  }

  synsetPos(synset: number): PosCode {
    return this.s.synPos[synset] as PosCode;
  }

  synsetLemmas(synset: number): string[] {
    const { synLemmas: v, synLemmasAt: at } = this.s;
    const out: string[] = [];
    for (let i = at[synset]; i < at[synset + 1]; i++) out.push(this.lemma(v[i]));
    return out;
  }

  /** Targets of one relation (REL in format.ts). */
  related(synset: number, relation: number): number[] {
    const { synRels: v, synRelsAt: at } = this.s;
    const out: number[] = [];
    for (let i = at[synset]; i < at[synset + 1]; i++) if (v[i] >>> 24 === relation) out.push(v[i] & 0xffffff);
    return out;
  }

  gloss(synset: number): string {
    const start = this.s.glossAt[synset];
    const end = this.s.glossAt[synset + 1];
    return decoder.decode(this.s.readGloss ? this.s.readGloss(start, end) : this.s.gloss.subarray(start, end));
  }

  /**
   * Base forms of a word with their part of speech, as WordNet's morphy finds them: the exception
   * lists first ("children" → child, "went" → go), then the word itself, then the regular
   * detachment rules, each kept only when WordNet has that lemma in that part of speech.
   */
  baseForms(word: string): { lemmaId: number; pos: PosCode }[] {
    const out: { lemmaId: number; pos: PosCode }[] = [];
    const seen = new Set<number>();
    const add = (lemmaId: number, pos: PosCode) => {
      const key = lemmaId * 4 + pos;
      if (lemmaId < 0 || seen.has(key) || !this.hasPos(lemmaId, pos)) return;
      seen.add(key);
      out.push({ lemmaId, pos });
    };
    const exc = findSorted(this.s.excText, this.s.excTextAt, encoder.encode(word));
    if (exc >= 0) for (let i = this.s.excTargetsAt[exc]; i < this.s.excTargetsAt[exc + 1]; i++) add(this.s.excTargets[i] >> 3, (this.s.excTargets[i] & 7) as PosCode);
    const self = this.lemmaId(word);
    if (self >= 0) for (const p of [0, 1, 2, 3] as const) add(self, p);
    for (const p of [0, 1, 2] as const) {
      for (const [suffix, replacement] of DETACH[p]) {
        if (word.length <= suffix.length + 1 || !word.endsWith(suffix)) continue;
        add(this.lemmaId(word.slice(0, -suffix.length) + replacement), p);
      }
    }
    return out;
  }

  /**
   * The one base form of a word WordNet does not list as a word of its own ("children" → child,
   * "knives" → knife, "went" → go, "ponies" → pony), else null: a word that is a lemma itself
   * ("left", "better") keeps its own meaning, and so does one with two readings ("lives": life or live).
   */
  baseForm(word: string): string | null {
    if (this.lemmaId(word) >= 0) return null;
    let only = -1;
    for (const f of this.baseForms(word)) {
      if (only >= 0 && f.lemmaId !== only) return null;
      only = f.lemmaId;
    }
    return only >= 0 ? this.lemma(only) : null;
  }

  private hasPos(lemmaId: number, pos: PosCode): boolean {
    const { lemmaSenses: v, lemmaSensesAt: at } = this.s;
    for (let i = at[lemmaId]; i < at[lemmaId + 1]; i += 2) if ((v[i + 1] & 7) === pos) return true;
    return false;
  }
}
