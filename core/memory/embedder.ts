import { Ollama } from 'ollama';
import { AppError, type EmbedderConfig } from '../contract/index.js';
import type { OpenAICompatibleConfig } from '../providers/index.js';
import { createOpenAIEmbedder } from './openai-embedder.js';
import { contentWords, fnv1a, stem } from './text.js';
import { prepareWordNet, wordNetIfLoaded } from './wordnet.js';

/** Turns texts into unit vectors of a fixed size. One interface for the offline and Ollama embedders. */
export interface Embedder {
  /** Stable name stored beside every vector, e.g. `offline-v2-256` or `ollama:nomic-embed-text`. */
  readonly name: string;
  /** Vector size; known after the first call for Ollama models. */
  dims(): Promise<number>;
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>;
  /**
   * Present when embedding needs no I/O, so bulk writes can stay synchronous. The offline embedder
   * uses WordNet once it is loaded and plain words before: a vector to be stored is made after
   * `ready` resolved, so the same text always gets the same vector; a query may be made before.
   */
  embedSync?(texts: string[]): Float32Array[];
  /** Loads what `embedSync` needs (the offline embedder's WordNet); resolves at once afterwards. */
  ready?(): Promise<void>;
}

export const OFFLINE_DIMS = 256;

/**
 * A deterministic embedder that needs no model weights: hashed features of stemmed words, word
 * pairs, character trigrams and WordNet concepts (first senses and two levels of hypernyms), signed
 * to cancel collisions, then L2-normalised. Its quality is measured by `npm run eval:memory`.
 */
export function createOfflineEmbedder(options: { dims?: number; wordnet?: boolean } = {}): Embedder {
  const dims = options.dims ?? OFFLINE_DIMS;
  const useWordNet = options.wordnet ?? true;
  const embedOne = (text: string): Float32Array => {
    const v = new Float32Array(dims);
    const add = (feature: string, weight: number) => {
      const h = fnv1a(feature);
      v[h % dims] += h & 0x80000000 ? -weight : weight;
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
    for (let i = 0; i < dims; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    if (norm > 0) for (let i = 0; i < dims; i++) v[i] /= norm;
    return v;
  };
  const ready = async () => {
    if (useWordNet) await prepareWordNet();
  };
  return {
    name: `offline-v2-${dims}`,
    dims: async () => dims,
    embed: async (texts) => {
      await ready();
      return texts.map(embedOne);
    },
    embedSync: (texts) => texts.map(embedOne),
    ready,
  };
}

/** Embeds through Ollama's `/api/embed`, in batches. */
export function createOllamaEmbedder(options: { host: string; model: string; batchSize?: number; fetch?: typeof fetch }): Embedder {
  const client = new Ollama({ host: options.host, fetch: options.fetch });
  const batchSize = options.batchSize ?? 64;
  let size: number | null = null;
  const embed = async (texts: string[], signal?: AbortSignal): Promise<Float32Array[]> => {
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
      if (size === null) await embed(['dimension probe']);
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

/** Cosine of two unit vectors. */
export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** The embedder for a configuration; Ollama's host and OpenAI-compatible endpoints come from settings. */
export function createMemoryEmbedder(config: EmbedderConfig, ollamaHost: string, endpoint: (name: string) => OpenAICompatibleConfig | null = () => null): Embedder {
  if (config.kind === 'openai') return createOpenAIEmbedder({ provider: config.provider, model: config.model, endpoint: () => endpoint(config.provider) });
  return config.kind === 'offline' ? createOfflineEmbedder() : createOllamaEmbedder({ host: ollamaHost, model: config.model });
}
