import { Ollama } from 'ollama';
import { AppError, type EmbedderConfig } from '../contract/index.js';
import type { OpenAICompatibleConfig } from '../providers/index.js';
import { pairSums } from './dots.js';
import { createOpenAIEmbedder } from './openai-embedder.js';
import { taskPrefixesFor, withTaskPrefixes, type EmbedPurpose } from './prefixes.js';
import { contentWords, fnv1a, stem } from './text.js';
import { lexiconIfLoaded } from './lexicon/index.js';
import { commonComponentFor, wordVectors, type WordVectorFile } from './vectors/index.js';
import { withoutCommon } from './vectors/common.js';
import { prepareWordNet, wordNetIfLoaded } from './wordnet.js';

/** Turns texts into unit vectors of a fixed size. One interface for the offline and model embedders. */
export interface Embedder {
  /**
   * Stable name stored beside every vector, e.g. `offline-v4-360`, `ollama:all-minilm` or, for a
   * model embedded with task prefixes, `ollama:nomic-embed-text+prefixes:…` (see prefixes.ts).
   */
  readonly name: string;
  /** Vector size; known after the first call for Ollama models. */
  dims(): Promise<number>;
  /**
   * Embeds memories (`document`) or search queries (`query`): a model trained with task prefixes is
   * given each text after its prefix for that purpose; the offline embedder treats both alike.
   */
  embed(texts: string[], purpose: EmbedPurpose, signal?: AbortSignal): Promise<Float32Array[]>;
  /**
   * Present when embedding needs no I/O, so bulk writes can stay synchronous. The offline embedder
   * uses WordNet once it is loaded and plain words before: a vector to be stored is made after
   * `ready` resolved, so the same text always gets the same vector; a query may be made before.
   */
  embedSync?(texts: string[], purpose: EmbedPurpose): Float32Array[];
  /** Loads what `embedSync` needs (the offline embedder's WordNet); resolves at once afterwards. */
  ready?(): Promise<void>;
}

export const OFFLINE_DIMS = 256;

/**
 * A deterministic embedder that needs no model weights: hashed features of stemmed words, word
 * pairs, character trigrams and WordNet concepts (first senses and two levels of hypernyms), signed
 * to cancel collisions, then L2-normalised; followed, when the word-vector file is there, by the
 * smooth-inverse-frequency average of the words' distributional vectors ("streaming" is near
 * "netflix"), the two parts weighing half the cosine each. Without that file it is the previous
 * version (hashed features only, `offline-v2-256`), and the health check says why. Its quality is
 * measured by `npm run eval:memory`.
 */
export function createOfflineEmbedder(options: { dims?: number; wordnet?: boolean; wordVectors?: boolean } = {}): Embedder {
  const hashed = options.dims ?? OFFLINE_DIMS;
  const useWordNet = options.wordnet ?? true;
  const vectors = options.wordVectors === false ? null : wordVectors();
  // A multiple of 8: the vector index keeps a one-bit-per-dimension copy in whole bytes.
  const dims = vectors ? Math.ceil((hashed + vectors.dims) / 8) * 8 : hashed;
  const embedOne = (text: string): Float32Array => {
    const v = new Float32Array(dims);
    const add = (feature: string, weight: number) => {
      const h = fnv1a(feature);
      v[h % hashed] += h & 0x80000000 ? -weight : weight;
    };
    const ws = contentWords(text);
    const stems = ws.map(stem);
    const wn = useWordNet ? wordNetIfLoaded() : null;
    for (let i = 0; i < ws.length; i++) {
      const s = stems[i];
      add(`w:${s}`, 1);
      if (i + 1 < ws.length) add(`b:${s}_${stems[i + 1]}`, 0.5);
      const padded = `#${ws[i]}#`;
      const grams = Math.max(1, padded.length - 2);
      for (let j = 0; j + 3 <= padded.length; j++) add(`c:${padded.slice(j, j + 3)}`, 0.45 / Math.sqrt(grams));
      if (wn && !/\d/.test(ws[i])) {
        for (const c of wn.concepts(ws[i])) add(`s:${c.id}`, 0.55 * c.weight);
        for (const g of wn.gloss(ws[i])) add(`w:${stem(g)}`, 0.3);
      }
    }
    let norm = 0;
    for (let i = 0; i < hashed; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    if (norm > 0) for (let i = 0; i < hashed; i++) v[i] /= norm;
    if (vectors && norm > 0) {
      const meaning = sifAverage(vectors, ws);
      if (meaning) {
        const h = Math.sqrt(1 - DENSE_SHARE);
        const d = Math.sqrt(DENSE_SHARE);
        for (let i = 0; i < hashed; i++) v[i] *= h;
        for (let i = 0; i < meaning.length; i++) v[hashed + i] = d * meaning[i];
        return unit(v);
      }
    }
    return v;
  };
  const ready = async () => {
    if (useWordNet) await prepareWordNet();
  };
  return {
    // A new version re-embeds every memory in the background at start (MemoryService.start).
    name: vectors ? `offline-v4-${dims}` : `offline-v2-${dims}`,
    dims: async () => dims,
    // Queries and memories are embedded alike: its features need no task prefix.
    embed: async (texts) => {
      await ready();
      return texts.map(embedOne);
    },
    embedSync: (texts) => texts.map(embedOne),
    ready,
  };
}

/** The share of the offline embedder's cosine that comes from word vectors (the rest from hashed features). */
const DENSE_SHARE = 0.5;
/** SIF's smoothing: a word of probability p weighs a / (a + p), so frequent words say little. */
const SIF_A = 1e-3;
/** Zipf's law's normaliser for a vocabulary of ~400k words: p(rank r) ≈ 1 / ((r + 1) · H). */
const ZIPF_H = 13.5;

/**
 * The smooth-inverse-frequency average of the words' vectors, each less what all word vectors share
 * (the vocabulary's mean and first principal direction, `commonComponentFor`), unit length (null
 * when no word has one). Words are looked up in their base form when WordNet knows one ("tidies" →
 * tidy), since inflected forms of rare words have weak vectors.
 */
function sifAverage(vectors: WordVectorFile, ws: string[]): Float32Array | null {
  const lx = lexiconIfLoaded();
  const common = commonComponentFor(vectors);
  const out = new Float32Array(vectors.dims);
  let any = false;
  for (const w of ws) {
    if (/\d/.test(w)) continue;
    const base = lx?.baseForm(w) ?? null;
    const e = (base && vectors.get(base)) || vectors.get(w);
    if (!e) continue;
    const vector = common ? withoutCommon(e.vector, common) : e.vector;
    if (!vector) continue;
    const p = 1 / ((e.rank + 1) * ZIPF_H);
    const weight = SIF_A / (SIF_A + p);
    for (let i = 0; i < out.length; i++) out[i] += weight * vector[i];
    any = true;
  }
  return any ? unit(out) : null;
}

/** Embeds through Ollama's `/api/embed`, in batches, the texts as given (task prefixes: `withTaskPrefixes`). */
export function createOllamaEmbedder(options: { host: string; model: string; batchSize?: number; fetch?: typeof fetch }): Embedder {
  const client = new Ollama({ host: options.host, fetch: options.fetch });
  const batchSize = options.batchSize ?? 64;
  let size: number | null = null;
  const embed = async (texts: string[], _purpose: EmbedPurpose, signal?: AbortSignal): Promise<Float32Array[]> => {
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += batchSize) {
      if (signal?.aborted) throw new AppError('unavailable', 'embedding was cancelled');
      let response;
      try {
        response = await client.embed({ model: options.model, input: texts.slice(i, i + batchSize) });
      } catch (err) {
        throw new AppError('unavailable', `Ollama could not embed with ${options.model} at ${options.host}: ${(err as Error).message}`);
      }
      for (const e of response.embeddings) out.push(unit(Float32Array.from(e)));
    }
    if (out.length !== texts.length) throw new AppError('unavailable', `Ollama returned ${out.length} embeddings for ${texts.length} texts`);
    if (out.length) size = out[0].length;
    return out;
  };
  return {
    name: `ollama:${options.model}`,
    async dims() {
      if (size === null) await embed(['dimension probe'], 'document');
      return size!;
    },
    embed,
  };
}

function unit(v: Float32Array): Float32Array {
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm);
  if (norm > 0) for (let i = 0; i < v.length; i++) v[i] /= norm;
  return v;
}

/**
 * How alike two stored memories are worded, for duplicate and knowledge-update checks: for the
 * offline embedder with word vectors, the cosine of the hashed word features alone (the first
 * OFFLINE_DIMS dimensions, each side renormalised), since related words that are not the same words
 * ("cat", "dog") must not make two records one; for any other embedder, the plain cosine.
 */
export function wordingCosine(embedder: string): (a: Float32Array, b: Float32Array) => number {
  if (!withWordVectors(embedder)) return dot;
  return (a, b) => {
    const sums = pairSums(a, b, OFFLINE_DIMS);
    return sums[1] > 0 && sums[2] > 0 ? sums[0] / Math.sqrt(sums[1] * sums[2]) : 0;
  };
}

/** Whether vectors of this embedder are the built-in offline embedder's (any version), not an embedding model's. */
export function isOfflineEmbedder(embedder: string): boolean {
  return /^offline-v\d+-\d+$/.test(embedder);
}

/** Whether vectors of this embedder are the offline embedder's with word vectors (this version's or the one before). */
export function withWordVectors(embedder: string): boolean {
  return /^offline-v[34]-/.test(embedder);
}

/** Cosine of two unit vectors. */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * The embedder for a configuration; Ollama's host and OpenAI-compatible endpoints come from settings,
 * a model's task prefixes from the configuration or else the table of known models (prefixes.ts).
 */
export function createMemoryEmbedder(config: EmbedderConfig, ollamaHost: string, endpoint: (name: string) => OpenAICompatibleConfig | null = () => null): Embedder {
  if (config.kind === 'offline') return createOfflineEmbedder();
  const model = config.kind === 'openai' ? createOpenAIEmbedder({ provider: config.provider, model: config.model, endpoint: () => endpoint(config.provider) }) : createOllamaEmbedder({ host: ollamaHost, model: config.model });
  return withTaskPrefixes(model, taskPrefixesFor(config));
}
