import { Ollama, type AbortableAsyncIterator, type ChatResponse, type Message as OllamaMessage } from 'ollama';
import type { ChatMessage, ModelProvider, ModelRequest, StreamEvent } from './types.js';
import { ProviderError } from './types.js';

export interface OllamaConfig {
  /** e.g. http://127.0.0.1:11434 */
  host: string;
}

/** A local Ollama through the official client, streamed (NDJSON). Cost is always zero. */
export function createOllamaProvider(config: OllamaConfig): ModelProvider {
  const client = new Ollama({ host: config.host });
  return {
    id: 'ollama',
    async *stream(request: ModelRequest): AsyncIterable<StreamEvent> {
      if (request.signal.aborted) throw new ProviderError('ollama', 'cancelled', 'cancelled');
      let iterator: AbortableAsyncIterator<ChatResponse> | null = null;
      const onAbort = () => iterator?.abort();
      request.signal.addEventListener('abort', onAbort, { once: true });
      let inputTokens = 0;
      let outputTokens = 0;
      let stopReason = 'stop';
      let model = request.model;
      let toolIndex = 0;
      try {
        iterator = await client.chat({
          model: request.model,
          stream: true,
          messages: [{ role: 'system', content: request.system }, ...request.messages.flatMap(toOllamaMessages)],
          tools: request.tools?.map((t) => ({
            type: 'function',
            function: { name: t.name, description: t.description, parameters: t.inputSchema as never },
          })),
          options: { num_predict: request.maxTokens },
        });
        if (request.signal.aborted) iterator.abort();
        for await (const part of iterator) {
          if (part.message?.content) yield { type: 'text', text: part.message.content };
          for (const call of part.message?.tool_calls ?? []) {
            const args = call.function.arguments as unknown;
            const raw = typeof args === 'string' ? args : JSON.stringify(args ?? {});
            let input: unknown = args;
            if (typeof args === 'string') {
              try {
                input = JSON.parse(args);
              } catch {
                input = undefined;
              }
            }
            yield { type: 'tool_call', id: `call_${toolIndex++}`, name: call.function.name, input, rawArguments: raw };
          }
          if (part.done) {
            inputTokens = part.prompt_eval_count ?? 0;
            outputTokens = part.eval_count ?? 0;
            stopReason = toolIndex > 0 ? 'tool_use' : part.done_reason || 'stop';
            model = part.model || model;
          }
        }
      } catch (err) {
        throw toOllamaError(err, request.signal, config.host);
      } finally {
        request.signal.removeEventListener('abort', onAbort);
      }
      if (request.signal.aborted) throw new ProviderError('ollama', 'cancelled', 'cancelled');
      yield { type: 'usage', usage: { inputTokens, outputTokens, cacheReadTokens: 0, cacheWriteTokens: 0 } };
      yield { type: 'end', stopReason, model };
    },
    // Through fetch, not the client: the client's abort() would also end a chat it is streaming.
    async listModels(signal) {
      try {
        const response = await fetch(new URL('/api/tags', config.host), { signal });
        if (!response.ok) throw new ProviderError('ollama', response.status === 404 ? 'not_found' : 'server', `Ollama at ${config.host} answered ${response.status}`, response.status);
        const body = (await response.json()) as { models?: { name: string }[] };
        return (body.models ?? []).map((m) => m.name).sort();
      } catch (err) {
        throw toOllamaError(err, signal, config.host);
      }
    },
    async probe(signal) {
      try {
        const controller = new AbortController();
        const timer = setTimeout(() => controller.abort(), 3000);
        signal.addEventListener('abort', () => controller.abort(), { once: true });
        try {
          const response = await fetch(new URL('/api/tags', config.host), { signal: controller.signal });
          if (!response.ok) return { ok: false, detail: `Ollama at ${config.host} answered ${response.status}` };
          const body = (await response.json()) as { models?: { name: string }[] };
          const names = (body.models ?? []).map((m) => m.name);
          return { ok: true, detail: `reachable at ${config.host}; ${names.length} model(s)${names.length ? `: ${names.slice(0, 5).join(', ')}` : ''}` };
        } finally {
          clearTimeout(timer);
        }
      } catch (err) {
        return { ok: false, detail: toOllamaError(err, signal, config.host).message };
      }
    },
  };
}

function toOllamaMessages(message: ChatMessage): OllamaMessage[] {
  if (typeof message.content === 'string') return [{ role: message.role, content: message.content }];
  const out: OllamaMessage[] = [];
  // Ollama takes images beside the text (base64, for models that see); a text file is read inline.
  const text = message.content
    .map((b) => (b.type === 'text' ? b.text : b.type === 'document' ? `\n\n${fileText(b.name, b.text)}` : ''))
    .join('');
  const images = message.content.flatMap((b) => (b.type === 'image' ? [b.data] : []));
  const toolCalls = message.content.filter((b) => b.type === 'tool_use');
  if (text || images.length || toolCalls.length || message.role === 'assistant') {
    out.push({
      role: message.role,
      content: text,
      ...(images.length ? { images } : {}),
      tool_calls: toolCalls.length
        ? toolCalls.map((b) => ({ function: { name: (b as { name: string }).name, arguments: ((b as { input: unknown }).input ?? {}) as Record<string, unknown> } }))
        : undefined,
    });
  }
  for (const block of message.content) {
    if (block.type === 'tool_result') out.push({ role: 'tool', content: block.content });
  }
  return out;
}

/** An attached text file as a model reads it inline (providers without document blocks). */
export function fileText(name: string, text: string): string {
  return `<file name="${name.replace(/"/g, "'")}">\n${text}\n</file>`;
}

function toOllamaError(err: unknown, signal: AbortSignal, host: string): ProviderError {
  if (err instanceof ProviderError) return err;
  if (signal.aborted || (err as Error)?.name === 'AbortError') return new ProviderError('ollama', 'cancelled', 'cancelled');
  const status = (err as { status_code?: number }).status_code;
  const message = (err as Error)?.message ?? String(err);
  if (typeof status === 'number') {
    if (status === 404) return new ProviderError('ollama', 'not_found', `Ollama does not have this model (404): ${message}; pull it with \`ollama pull\``, status);
    if (status === 429) return new ProviderError('ollama', 'rate_limit', `Ollama is busy (429): ${message}`, status);
    if (status === 503) return new ProviderError('ollama', 'overloaded', `Ollama is overloaded (503): ${message}`, status);
    if (status >= 500) return new ProviderError('ollama', 'server', `Ollama server error (${status}): ${message}`, status);
    return new ProviderError('ollama', 'bad_request', `Ollama refused the request (${status}): ${message}`, status);
  }
  if (/fetch failed|ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|socket/i.test(message + String((err as { cause?: unknown }).cause ?? ''))) {
    return new ProviderError('ollama', 'unreachable', `Ollama is not reachable at ${host}: is it running?`);
  }
  return new ProviderError('ollama', 'server', `Ollama failed: ${message}`);
}
