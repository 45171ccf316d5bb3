/** What every model provider speaks: a streamed turn of a conversation, with tools. */

export type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; toolUseId: string; content: string; isError: boolean }
  /** An image the user attached (base64 bytes of `mediaType`). */
  | { type: 'image'; name: string; mediaType: string; data: string }
  /** A text file the user attached. */
  | { type: 'document'; name: string; mediaType: string; text: string };

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string | ContentBlock[];
}

/** A tool as the model sees it. */
export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments (an object schema). */
  inputSchema: Record<string, unknown>;
}

export interface ModelRequest {
  /** The model name within its provider (`claude-sonnet-5-5`, `llama3.2`). */
  model: string;
  system: string;
  messages: ChatMessage[];
  tools?: ToolSpec[];
  maxTokens: number;
  signal: AbortSignal;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  /** True when the server did not report usage and these counts are the app's own estimate. */
  estimated?: boolean;
}

/** What a model stream yields, in order: text and tool calls as they come, then usage, then end. */
export type StreamEvent =
  | { type: 'text'; text: string }
  | { type: 'tool_call'; id: string; name: string; input: unknown; rawArguments: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'end'; stopReason: string; model: string };

/**
 * A provider's name as model references write it: `anthropic`, `ollama`, `openai`, or the name of an
 * OpenAI-compatible endpoint the user added (`lmstudio`, `openrouter`, …).
 */
export type ProviderId = string;

/** Names of the providers that are always there; endpoints the user adds may not take them. */
export const BUILTIN_PROVIDERS = ['anthropic', 'ollama', 'openai'] as const;

export interface ModelProvider {
  readonly id: ProviderId;
  /** Streams one model turn. Throws `ProviderError` for every failure it can name. */
  stream(request: ModelRequest): AsyncIterable<StreamEvent>;
  /** Checks that the provider is configured and answers, without spending tokens where it can. */
  probe(signal: AbortSignal): Promise<{ ok: boolean; detail: string }>;
  /** The models the provider offers (names within it). Throws `ProviderError` when it cannot tell. */
  listModels?(signal: AbortSignal): Promise<string[]>;
}

export type ProviderErrorKind =
  | 'no_key'
  | 'auth'
  | 'rate_limit'
  | 'overloaded'
  | 'server'
  | 'unreachable'
  | 'timeout'
  | 'bad_request'
  | 'not_found'
  | 'cancelled';

/** A provider failure with a kind the router can act on and a message a person can act on. */
export class ProviderError extends Error {
  constructor(
    readonly provider: ProviderId,
    readonly kind: ProviderErrorKind,
    message: string,
    readonly status: number | null = null,
    /** From `retry-after` (seconds or a date), when the provider sent one. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'ProviderError';
  }

  /** Worth trying again, here or on the next model. */
  get retryable(): boolean {
    return ['rate_limit', 'overloaded', 'server', 'unreachable', 'timeout'].includes(this.kind);
  }
}

/** Reads a `retry-after` header: seconds, or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (!value) return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : null;
}

const PROVIDER_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/** Splits `provider:model` (the model part may hold more colons: `ollama:llama3.2:latest`). */
export function parseModelRef(ref: string): { provider: ProviderId; model: string } {
  const at = ref.indexOf(':');
  const provider = ref.slice(0, at);
  if (at <= 0 || at === ref.length - 1 || !PROVIDER_NAME.test(provider)) throw new Error(`bad model reference ${ref}`);
  return { provider, model: ref.slice(at + 1) };
}
