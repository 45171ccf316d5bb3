/** What every model provider speaks: a streamed turn of a conversation, with tools. */

export type ContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; toolUseId: string; content: string; isError: boolean };

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
}

/** What a model stream yields, in order: text and tool calls as they come, then usage, then end. */
export type StreamEvent =
  | { type: 'text'; text: string }
  | { type: 'tool_call'; id: string; name: string; input: unknown; rawArguments: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'end'; stopReason: string; model: string };

export type ProviderId = 'anthropic' | 'ollama';

export interface ModelProvider {
  readonly id: ProviderId;
  /** Streams one model turn. Throws `ProviderError` for every failure it can name. */
  stream(request: ModelRequest): AsyncIterable<StreamEvent>;
  /** Checks that the provider is configured and answers, without spending tokens where it can. */
  probe(signal: AbortSignal): Promise<{ ok: boolean; detail: string }>;
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

/** Splits `provider:model`. */
export function parseModelRef(ref: string): { provider: ProviderId; model: string } {
  const at = ref.indexOf(':');
  const provider = ref.slice(0, at);
  if (at <= 0 || (provider !== 'anthropic' && provider !== 'ollama')) throw new Error(`bad model reference ${ref}`);
  return { provider, model: ref.slice(at + 1) };
}
