import type OpenAI from 'openai';
import type { ChatMessage, ModelProvider, ModelRequest, StreamEvent, Usage } from './types.js';
import { ProviderError, parseRetryAfter } from './types.js';
import { estimatePrompt, estimateTokens } from './tokens.js';
import { sharedHttpFetch } from './http-fetch.js';
import { fileText } from './ollama.js';

/** OpenAI's own API; the `openai` provider uses it unless a base URL is set. */
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

export interface OpenAICompatibleConfig {
  /** The provider's name in model references: `openai`, or an endpoint's (`lmstudio`, `openrouter`). */
  name: string;
  /** Where the API lives, up to and including `/v1` (e.g. http://127.0.0.1:1234/v1). */
  baseUrl: string;
  /** Sent as a bearer token; null sends no `Authorization` header (most local servers need none). */
  apiKey: string | null;
  /** OpenAI itself refuses every request without a key: say so before trying. */
  keyRequired: boolean;
  /** Per-request time limit to the response headers, ms. */
  timeoutMs?: number;
  now?: () => number;
}

type OpenAISdk = typeof OpenAI;
// Loaded when a turn, a probe or an embedding first needs it, like the Anthropic SDK: a start that
// never talks to an OpenAI-compatible server does not pay for the import.
let sdk: OpenAISdk | null = null;
let loading: Promise<OpenAISdk> | null = null;
export function loadOpenAISdk(): Promise<OpenAISdk> {
  loading ??= import('openai').then((module) => (sdk = module.default));
  return loading;
}

/**
 * Builds the SDK client for an endpoint. Everything is passed in, so the SDK reads no `OPENAI_*`
 * variable itself. Chat turns leave retries to the router (0); embeddings, which have no router, let
 * the SDK retry a dropped connection or a 429/5xx itself.
 */
export async function openAIClient(config: OpenAICompatibleConfig, options: { maxRetries?: number } = {}): Promise<OpenAI> {
  if (config.keyRequired && !config.apiKey) throw new ProviderError(config.name, 'no_key', noKeyMessage(config.name));
  const Sdk = await loadOpenAISdk();
  return new Sdk({
    apiKey: config.apiKey ?? 'unused',
    baseURL: config.baseUrl,
    organization: null,
    project: null,
    maxRetries: options.maxRetries ?? 0,
    timeout: config.timeoutMs ?? 120_000,
    // Without a key, no Authorization header at all (a placeholder bearer confuses some servers' auth).
    defaultHeaders: config.apiKey ? undefined : { authorization: null },
    // Kept-alive connections over node:http, shared in the process, as for Anthropic (http-fetch.ts).
    fetch: sharedHttpFetch(),
  });
}

function noKeyMessage(name: string): string {
  return name === 'openai' ? 'no API key set for OpenAI: open Settings → Providers or set OPENAI_API_KEY' : `no API key set for ${name}: add one in Settings → Providers`;
}

/**
 * One OpenAI-compatible endpoint (OpenAI, OpenRouter, LM Studio, llama.cpp's server, vLLM, LocalAI)
 * through the official SDK's Chat Completions stream: text, tool calls assembled from argument
 * fragments across chunks, parallel calls, usage from `stream_options.include_usage` or estimated
 * when the server sends none. The SDK's own retries are off: the router decides.
 */
export function createOpenAICompatibleProvider(config: OpenAICompatibleConfig): ModelProvider {
  const now = config.now ?? Date.now;
  const name = config.name;
  let client: Promise<OpenAI> | null = null;
  const getClient = () => {
    client ??= openAIClient(config);
    // A failed build (no key) is not cached: the next call reports it again.
    client.catch(() => (client = null));
    return client;
  };
  // OpenAI's current models refuse `max_tokens`; most other servers know only that one.
  const tokenField = isOpenAIHost(config.baseUrl) ? 'max_completion_tokens' : 'max_tokens';

  return {
    id: name,
    async *stream(request: ModelRequest): AsyncIterable<StreamEvent> {
      if (request.signal.aborted) throw new ProviderError(name, 'cancelled', 'cancelled');
      let reported: Usage | null = null;
      let text = '';
      let stopReason = 'end_turn';
      let model = request.model;
      // Fragments of each tool call by its index in the stream; the id and name come in the first one.
      const calls = new Map<number, { id: string; name: string; args: string }>();
      try {
        const api = await getClient();
        const body = {
          model: request.model,
          messages: [{ role: 'system' as const, content: request.system }, ...request.messages.flatMap(toOpenAIMessages)],
          tools: request.tools?.length
            ? request.tools.map((t) => ({ type: 'function' as const, function: { name: t.name, description: t.description, parameters: t.inputSchema } }))
            : undefined,
          [tokenField]: request.maxTokens,
          stream: true as const,
          stream_options: { include_usage: true },
        };
        const stream = await api.chat.completions.create(body, { signal: request.signal });
        for await (const chunk of stream) {
          if (chunk.model) model = chunk.model;
          if (chunk.usage) reported = usageOf(chunk.usage);
          for (const choice of chunk.choices ?? []) {
            const delta = choice.delta;
            if (delta?.content) {
              text += delta.content;
              yield { type: 'text', text: delta.content };
            }
            for (const fragment of delta?.tool_calls ?? []) {
              // A server that numbers nothing sends one call per fragment group: key by id, else the last.
              const index = fragment.index ?? (fragment.id ? calls.size : Math.max(0, calls.size - 1));
              const call = calls.get(index) ?? { id: '', name: '', args: '' };
              if (fragment.id) call.id = fragment.id;
              if (fragment.function?.name) call.name += fragment.function.name;
              if (fragment.function?.arguments) call.args += fragment.function.arguments;
              calls.set(index, call);
            }
            if (choice.finish_reason) stopReason = STOP_REASONS[choice.finish_reason] ?? choice.finish_reason;
          }
        }
      } catch (err) {
        throw toOpenAIError(err, request.signal, config, now);
      }
      // A cancel can end the SDK's stream without an error; a cut-off reply must not pass for a finished one.
      if (request.signal.aborted) throw new ProviderError(name, 'cancelled', 'cancelled');
      const ordered = [...calls.entries()].sort((a, b) => a[0] - b[0]);
      for (const [index, call] of ordered) {
        yield { type: 'tool_call', id: call.id || `call_${index}`, name: call.name, input: safeJson(call.args), rawArguments: call.args };
      }
      if (ordered.length && stopReason === 'end_turn') stopReason = 'tool_use';
      const usage = reported ?? {
        inputTokens: estimatePrompt(request.system, request.messages, request.tools ?? []),
        outputTokens: estimateTokens(text + ordered.map(([, c]) => c.name + c.args).join('')),
        cacheReadTokens: 0,
        cacheWriteTokens: 0,
        estimated: true,
      };
      yield { type: 'usage', usage };
      yield { type: 'end', stopReason, model };
    },
    async probe(signal) {
      try {
        const models = await listModels(signal, 5000);
        return { ok: true, detail: `reachable at ${config.baseUrl}; ${models.length} model(s)${models.length ? `: ${models.slice(0, 5).join(', ')}` : ''}` };
      } catch (err) {
        const error = toOpenAIError(err, signal, config, now);
        return { ok: false, detail: error.kind === 'cancelled' ? `${config.baseUrl} did not answer in time` : error.message };
      }
    },
    listModels: (signal) => listModels(signal, 8000),
  };

  async function listModels(signal: AbortSignal, timeout: number): Promise<string[]> {
    try {
      const api = await getClient();
      const ids: string[] = [];
      for await (const model of api.models.list({ signal, timeout })) {
        ids.push(model.id);
        if (ids.length >= 1000) break;
      }
      return ids.sort();
    } catch (err) {
      throw toOpenAIError(err, signal, config, now);
    }
  }
}

const STOP_REASONS: Record<string, string> = { stop: 'end_turn', tool_calls: 'tool_use', function_call: 'tool_use', length: 'max_tokens' };

function usageOf(u: OpenAI.CompletionUsage): Usage {
  const cached = u.prompt_tokens_details?.cached_tokens ?? 0;
  // OpenAI counts cached prompt tokens inside prompt_tokens; they are priced apart, so not twice.
  return { inputTokens: Math.max(0, (u.prompt_tokens ?? 0) - cached), outputTokens: u.completion_tokens ?? 0, cacheReadTokens: cached, cacheWriteTokens: 0 };
}

/** One of our messages as Chat Completions messages: tool results become `tool` messages, in order. */
function toOpenAIMessages(message: ChatMessage): OpenAI.Chat.ChatCompletionMessageParam[] {
  if (typeof message.content === 'string') return [{ role: message.role, content: message.content }];
  const text = message.content
    .filter((b) => b.type === 'text')
    .map((b) => (b as { text: string }).text)
    .join('');
  if (message.role === 'assistant') {
    const toolCalls = message.content.flatMap((b) =>
      b.type === 'tool_use' ? [{ id: b.id, type: 'function' as const, function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } }] : [],
    );
    return [{ role: 'assistant', content: text || (toolCalls.length ? null : ''), ...(toolCalls.length ? { tool_calls: toolCalls } : {}) }];
  }
  const out: OpenAI.Chat.ChatCompletionMessageParam[] = [];
  // Tool results must follow the assistant's calls directly; any text of the same turn comes after.
  for (const block of message.content) {
    if (block.type === 'tool_result') out.push({ role: 'tool', tool_call_id: block.toolUseId, content: block.isError && !/^error/i.test(block.content) ? `Error: ${block.content}` : block.content });
  }
  // Attached files: images as image_url parts (data URLs), text files inline as text parts.
  const files = message.content.filter((b) => b.type === 'image' || b.type === 'document');
  if (files.length) {
    const parts: OpenAI.Chat.ChatCompletionContentPart[] = text ? [{ type: 'text', text }] : [];
    for (const b of files) {
      if (b.type === 'image') parts.push({ type: 'image_url', image_url: { url: `data:${b.mediaType};base64,${b.data}` } });
      else if (b.type === 'document') parts.push({ type: 'text', text: fileText(b.name, b.text) });
    }
    out.push({ role: 'user', content: parts });
  } else if (text || !out.length) out.push({ role: 'user', content: text });
  return out;
}

function safeJson(text: string): unknown {
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isOpenAIHost(baseUrl: string): boolean {
  try {
    return new URL(baseUrl).hostname === 'api.openai.com';
  } catch {
    return false;
  }
}

/** Names an SDK failure by what the caller can do about it. */
export function toOpenAIError(err: unknown, signal: AbortSignal | undefined, config: Pick<OpenAICompatibleConfig, 'name' | 'baseUrl'>, now: () => number = Date.now): ProviderError {
  const name = config.name;
  const who = name === 'openai' ? 'OpenAI' : name;
  if (err instanceof ProviderError) return err;
  const Sdk = sdk;
  if (signal?.aborted || (Sdk && err instanceof Sdk.APIUserAbortError)) return new ProviderError(name, 'cancelled', 'cancelled');
  if (!Sdk) return new ProviderError(name, 'server', `${who} failed: ${(err as Error)?.message ?? String(err)}`);
  if (err instanceof Sdk.APIConnectionTimeoutError) return new ProviderError(name, 'timeout', `${who} did not answer in time (${config.baseUrl})`);
  if (err instanceof Sdk.APIConnectionError) return new ProviderError(name, 'unreachable', `cannot reach ${who} at ${config.baseUrl}: ${causeOf(err)}`);
  if (err instanceof Sdk.APIError) {
    const status = typeof err.status === 'number' ? err.status : null;
    const headers = err.headers;
    const retryMs = Number(headers?.get?.('retry-after-ms'));
    const retryAfter = Number.isFinite(retryMs) && headers?.get?.('retry-after-ms') ? retryMs : parseRetryAfter(headers?.get?.('retry-after'), now());
    const detail = apiMessage(err);
    if (status === 401) return new ProviderError(name, 'auth', `${who} rejected the API key (401): check it in Settings → Providers`, status);
    if (status === 403) return new ProviderError(name, 'auth', `${who} refused the request (403): ${detail}`, status);
    if (status === 404) return new ProviderError(name, 'not_found', `${who} does not know this model or path (404): ${detail}`, status);
    if (status === 429) return new ProviderError(name, 'rate_limit', `${who} rate limit (429): ${detail}`, status, retryAfter);
    if (status === 503 || status === 529) return new ProviderError(name, 'overloaded', `${who} is overloaded (${status}): ${detail}`, status, retryAfter);
    if (status !== null && status >= 500) return new ProviderError(name, 'server', `${who} server error (${status}): ${detail}`, status, retryAfter);
    if (status === null) return new ProviderError(name, 'server', `${who} stream error: ${detail}`, null, retryAfter);
    return new ProviderError(name, 'bad_request', `${who} refused the request (${status}): ${detail}`, status);
  }
  if (err instanceof Sdk.OpenAIError) return new ProviderError(name, 'server', `${who} failed: ${err.message}`);
  return new ProviderError(name, 'server', `${who} failed: ${(err as Error)?.message ?? String(err)}`);
}

function apiMessage(err: { message: string; error?: unknown }): string {
  const body = err.error as { message?: unknown } | undefined;
  return typeof body?.message === 'string' ? body.message : err.message;
}

/** The innermost reason of a connection failure (`ECONNREFUSED`, …): fetch wraps it in `fetch failed`. */
function causeOf(err: Error): string {
  let reason: { code?: string; message?: string; cause?: unknown } | undefined = err;
  let text = err.message;
  for (let depth = 0; reason && depth < 5; depth++, reason = reason.cause as typeof reason) {
    if (reason.code) return reason.code;
    if (reason.message) text = reason.message;
  }
  return text;
}
