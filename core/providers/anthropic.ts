import type Anthropic from '@anthropic-ai/sdk';
import type { ContentBlock, ModelProvider, ModelRequest, StreamEvent, Usage } from './types.js';
import { sharedHttpFetch } from './http-fetch.js';
import { ProviderError, parseRetryAfter } from './types.js';

export interface AnthropicConfig {
  /** The key in use; null when none is set anywhere. */
  apiKey: string | null;
  /** Overrides the API address (a proxy, or a loopback server in tests). */
  baseUrl: string | null;
  /** Per-request time limit, ms. */
  timeoutMs?: number;
  now?: () => number;
}

const NO_KEY = 'no API key set: open Settings or set ANTHROPIC_API_KEY';

type AnthropicSdk = typeof Anthropic;
// Importing the SDK takes ~0.2–0.4 s, most of a host's start; it is loaded when a turn or a probe
// first needs it. Until then no error can be one of its classes.
let sdk: AnthropicSdk | null = null;
let loading: Promise<AnthropicSdk> | null = null;
function loadSdk(): Promise<AnthropicSdk> {
  loading ??= import('@anthropic-ai/sdk').then((module) => (sdk = module.default));
  return loading;
}

/** Loads the SDK ahead of the first turn, once a start no longer waits for it (the host, after listening). */
export function preloadAnthropicSdk(): Promise<void> {
  return loadSdk().then(() => undefined);
}

/** Anthropic's Messages API through the official SDK, streamed. The SDK's own retries are off: the router decides. */
export function createAnthropicProvider(config: AnthropicConfig): ModelProvider {
  const now = config.now ?? Date.now;
  let client: Anthropic | null = null;
  const getClient = async (): Promise<Anthropic> => {
    if (!config.apiKey) throw new ProviderError('anthropic', 'no_key', NO_KEY);
    const Sdk = await loadSdk();
    client ??= new Sdk({
      apiKey: config.apiKey,
      baseURL: config.baseUrl ?? undefined,
      maxRetries: 0,
      timeout: config.timeoutMs ?? 120_000,
      // Kept-alive connections over node:http, shared by every client in the process: a request
      // reaches the wire in the turn that makes it (see http-fetch.ts).
      fetch: sharedHttpFetch(),
    });
    return client;
  };

  return {
    id: 'anthropic',
    async *stream(request: ModelRequest): AsyncIterable<StreamEvent> {
      const api = await getClient();
      const usage: Usage = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
      const toolInputs = new Map<number, { id: string; name: string; json: string }>();
      let stopReason = 'end_turn';
      let model = request.model;
      try {
        const stream = await api.messages.create(
          {
            model: request.model,
            max_tokens: request.maxTokens,
            system: request.system,
            messages: request.messages.map(toAnthropicMessage),
            tools: request.tools?.map((t) => ({ name: t.name, description: t.description, input_schema: t.inputSchema as Anthropic.Tool.InputSchema })),
            stream: true,
          },
          { signal: request.signal },
        );
        for await (const event of stream) {
          switch (event.type) {
            case 'message_start':
              model = event.message.model || model;
              usage.inputTokens = event.message.usage.input_tokens ?? 0;
              usage.outputTokens = event.message.usage.output_tokens ?? 0;
              usage.cacheReadTokens = event.message.usage.cache_read_input_tokens ?? 0;
              usage.cacheWriteTokens = event.message.usage.cache_creation_input_tokens ?? 0;
              break;
            case 'content_block_start':
              if (event.content_block.type === 'tool_use') {
                toolInputs.set(event.index, { id: event.content_block.id, name: event.content_block.name, json: '' });
              }
              break;
            case 'content_block_delta':
              if (event.delta.type === 'text_delta') yield { type: 'text', text: event.delta.text };
              else if (event.delta.type === 'input_json_delta') {
                const tool = toolInputs.get(event.index);
                if (tool) tool.json += event.delta.partial_json;
              }
              break;
            case 'content_block_stop': {
              const tool = toolInputs.get(event.index);
              if (tool) {
                toolInputs.delete(event.index);
                yield { type: 'tool_call', id: tool.id, name: tool.name, input: safeJson(tool.json), rawArguments: tool.json };
              }
              break;
            }
            case 'message_delta':
              if (event.delta.stop_reason) stopReason = event.delta.stop_reason;
              if (event.usage?.output_tokens != null) usage.outputTokens = event.usage.output_tokens;
              if (event.usage?.input_tokens != null) usage.inputTokens = event.usage.input_tokens;
              break;
            default:
              break;
          }
        }
      } catch (err) {
        throw toProviderError(err, request.signal, now);
      }
      // The SDK ends an aborted stream quietly; a cut-off reply must not pass for a finished one.
      if (request.signal?.aborted) throw new ProviderError('anthropic', 'cancelled', 'the request was aborted');
      yield { type: 'usage', usage };
      yield { type: 'end', stopReason, model };
    },
    async listModels(signal) {
      try {
        const ids: string[] = [];
        for await (const model of (await getClient()).models.list({ limit: 100 }, { signal, timeout: 8000 })) {
          ids.push(model.id);
          if (ids.length >= 500) break;
        }
        return ids;
      } catch (err) {
        throw toProviderError(err, signal, now);
      }
    },
    async probe(signal) {
      if (!config.apiKey) return { ok: false, detail: NO_KEY };
      try {
        const page = await (await getClient()).models.list({ limit: 1 }, { signal, timeout: 5000 });
        return { ok: true, detail: `reachable${config.baseUrl ? ` at ${config.baseUrl}` : ''}; ${page.data.length ? `first model ${page.data[0].id}` : 'no models listed'}` };
      } catch (err) {
        return { ok: false, detail: toProviderError(err, signal, now).message };
      }
    },
  };
}

function toAnthropicMessage(message: { role: 'user' | 'assistant'; content: string | ContentBlock[] }): Anthropic.MessageParam {
  if (typeof message.content === 'string') return { role: message.role, content: message.content };
  return {
    role: message.role,
    content: message.content.map((block): Anthropic.ContentBlockParam => {
      switch (block.type) {
        case 'text':
          return { type: 'text', text: block.text };
        case 'tool_use':
          return { type: 'tool_use', id: block.id, name: block.name, input: block.input ?? {} };
        case 'tool_result':
          return { type: 'tool_result', tool_use_id: block.toolUseId, content: block.content, is_error: block.isError };
        case 'image':
          return { type: 'image', source: { type: 'base64', media_type: block.mediaType as Anthropic.Base64ImageSource['media_type'], data: block.data } };
        case 'document':
          return { type: 'document', title: block.name, source: { type: 'text', media_type: 'text/plain', data: block.text } };
      }
    }),
  };
}

function safeJson(text: string): unknown {
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Names an SDK failure by what the caller can do about it. */
export function toProviderError(err: unknown, signal: AbortSignal, now: () => number): ProviderError {
  if (err instanceof ProviderError) return err;
  const Sdk = sdk;
  if (signal.aborted || (Sdk && err instanceof Sdk.APIUserAbortError)) return new ProviderError('anthropic', 'cancelled', 'cancelled');
  if (!Sdk) return new ProviderError('anthropic', 'server', `Anthropic failed: ${(err as Error)?.message ?? String(err)}`);
  if (err instanceof Sdk.APIConnectionTimeoutError) return new ProviderError('anthropic', 'timeout', 'Anthropic did not answer in time');
  if (err instanceof Sdk.APIConnectionError) {
    return new ProviderError('anthropic', 'unreachable', `cannot reach Anthropic: ${err.message}`);
  }
  if (err instanceof Sdk.APIError) {
    const status = err.status ?? null;
    const retryAfter = parseRetryAfter(err.headers?.get?.('retry-after'), now());
    const detail = err.apiMessage ?? err.message;
    if (status === 401) return new ProviderError('anthropic', 'auth', `Anthropic rejected the API key (401): check it in Settings`, status);
    if (status === 403) return new ProviderError('anthropic', 'auth', `Anthropic refused the request (403): ${detail}`, status);
    if (status === 404) return new ProviderError('anthropic', 'not_found', `Anthropic does not know this model (404): ${detail}`, status);
    if (status === 429) return new ProviderError('anthropic', 'rate_limit', `Anthropic rate limit (429): ${detail}`, status, retryAfter);
    if (status === 529 || err.type === 'overloaded_error') return new ProviderError('anthropic', 'overloaded', `Anthropic is overloaded (${status ?? 'stream'}): ${detail}`, status, retryAfter);
    if (status !== null && status >= 500) return new ProviderError('anthropic', 'server', `Anthropic server error (${status}): ${detail}`, status, retryAfter);
    if (status === null) return new ProviderError('anthropic', 'server', `Anthropic stream error: ${detail}`, null, retryAfter);
    return new ProviderError('anthropic', 'bad_request', `Anthropic refused the request (${status}): ${detail}`, status);
  }
  return new ProviderError('anthropic', 'server', `Anthropic failed: ${(err as Error)?.message ?? String(err)}`);
}
