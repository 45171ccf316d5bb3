import { AppError } from '../contract/index.js';
import { openAIClient, toOpenAIError, unknownProviderMessage, type OpenAICompatibleConfig } from '../providers/index.js';
import type { Embedder } from './embedder.js';
import type { EmbedPurpose } from './prefixes.js';

/**
 * Embeds through an OpenAI-compatible `/v1/embeddings` (OpenAI, LM Studio, llama.cpp, vLLM, …) with the
 * official SDK, in batches, the texts as given (task prefixes: `withTaskPrefixes`). The endpoint is
 * looked up at each call, so a changed key or base URL applies at once and an endpoint removed since
 * is a readable error, not a crash at start.
 */
export function createOpenAIEmbedder(options: { provider: string; model: string; endpoint: () => OpenAICompatibleConfig | null; batchSize?: number }): Embedder {
  const batchSize = options.batchSize ?? 64;
  let size: number | null = null;
  let client: { key: string; api: ReturnType<typeof openAIClient> } | null = null;
  const embed = async (texts: string[], _purpose: EmbedPurpose, signal?: AbortSignal): Promise<Float32Array[]> => {
    const endpoint = options.endpoint();
    if (!endpoint) throw new AppError('unavailable', `cannot embed with ${options.provider}:${options.model}: ${unknownProviderMessage(options.provider)}`);
    const key = `${endpoint.baseUrl}\n${endpoint.apiKey ?? ''}`;
    if (client?.key !== key) client = { key, api: openAIClient(endpoint, { maxRetries: 2 }) };
    const out: Float32Array[] = [];
    try {
      const api = await client.api;
      for (let i = 0; i < texts.length; i += batchSize) {
        if (signal?.aborted) throw new AppError('unavailable', 'embedding was cancelled');
        // Floats, not the SDK's default base64: several local servers only speak floats.
        const response = await api.embeddings.create({ model: options.model, input: texts.slice(i, i + batchSize), encoding_format: 'float' }, { signal });
        const batch = [...response.data].sort((a, b) => a.index - b.index);
        for (const e of batch) out.push(unit(Float32Array.from(e.embedding as number[])));
      }
    } catch (err) {
      if (err instanceof AppError) throw err;
      client = null;
      throw new AppError('unavailable', `${options.provider} could not embed with ${options.model}: ${toOpenAIError(err, signal, endpoint).message}`);
    }
    if (out.length !== texts.length) throw new AppError('unavailable', `${options.provider} returned ${out.length} embeddings for ${texts.length} texts`);
    if (out.length) size = out[0].length;
    return out;
  };
  return {
    name: `${options.provider}:${options.model}`,
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
