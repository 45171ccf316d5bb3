import type { ServerResponse } from 'node:http';
import { LoopbackServer, pause } from './loopback-server.js';
import { hashEmbedding } from './ollama-server.js';
import type { RecordedRequest, ScriptedReply } from './script.js';

/**
 * A loopback server that speaks the OpenAI API as OpenAI-compatible servers do (LM Studio, llama.cpp,
 * vLLM, OpenRouter): `POST /v1/chat/completions` streamed as server-sent `data:` chunks ending in
 * `data: [DONE]` — text deltas, tool calls whose arguments arrive a few characters per chunk, several
 * calls in one reply, a final usage chunk when `stream_options.include_usage` asks for it — JSON error
 * bodies with `retry-after`, `GET /v1/models` and `POST /v1/embeddings` (floats or base64). Point the
 * real SDK at `baseUrl`.
 */
export class OpenAILoopback extends LoopbackServer {
  /** Embeds texts for `/v1/embeddings`; the default is a deterministic hash embedding. */
  embed: (texts: string[], model: string) => number[][] = (texts) => texts.map((t) => hashEmbedding(t, 8));
  models = ['loopback-chat', 'loopback-embed'];
  /** When set, every request must carry `Authorization: Bearer <key>` or gets a 401. */
  requireKey: string | null = null;
  /** Characters of tool-call arguments per chunk. */
  argumentChunk = 5;

  constructor() {
    super((path, method) => {
      const guard = (handler: (res: ServerResponse, body: Record<string, unknown>, record: RecordedRequest) => Promise<void> | void) => (_req: unknown, res: ServerResponse, body: unknown, record: RecordedRequest) => {
        if (this.requireKey && record.headers.authorization !== `Bearer ${this.requireKey}`) {
          res.writeHead(401, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: 'Incorrect API key provided', type: 'invalid_request_error', code: 'invalid_api_key' } }));
          return;
        }
        return handler(res, (body ?? {}) as Record<string, unknown>, record);
      };
      if (method === 'POST' && path === '/v1/chat/completions') return guard((res, body) => this.completions(res, body));
      if (method === 'GET' && path === '/v1/models') {
        return guard((res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ object: 'list', data: this.models.map((id) => ({ id, object: 'model', created: 1767225600, owned_by: 'loopback' })) }));
        });
      }
      if (method === 'POST' && path === '/v1/embeddings') return guard((res, body) => this.embeddings(res, body));
      return null;
    });
  }

  /** The base URL an SDK client is given (with `/v1`). */
  get baseUrl(): string {
    return `${this.url}/v1`;
  }

  static async start(): Promise<OpenAILoopback> {
    return new OpenAILoopback().start();
  }

  private embeddings(res: ServerResponse, body: Record<string, unknown>): void {
    const input = Array.isArray(body.input) ? (body.input as string[]) : [String(body.input)];
    const model = String(body.model ?? 'loopback-embed');
    const vectors = this.embed(input, model);
    const base64 = body.encoding_format === 'base64';
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        object: 'list',
        model,
        data: vectors.map((v, index) => ({ object: 'embedding', index, embedding: base64 ? Buffer.from(Float32Array.from(v).buffer).toString('base64') : v })),
        usage: { prompt_tokens: input.join(' ').split(/\s+/).length, total_tokens: input.join(' ').split(/\s+/).length },
      }),
    );
  }

  private async completions(res: ServerResponse, body: Record<string, unknown>): Promise<void> {
    const reply: ScriptedReply = this.nextReply(body);
    const model = (reply.kind === 'stream' && reply.model) || String(body.model ?? 'loopback-chat');
    if (reply.kind === 'hang') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      await new Promise<void>((resolve) => res.once('close', () => resolve()));
      return;
    }
    if (reply.kind === 'error') {
      res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
      res.end(JSON.stringify({ error: { message: reply.message ?? `scripted ${reply.status}`, type: reply.type ?? 'server_error', code: null } }));
      return;
    }
    const chunks = reply.chunks ?? [];
    const toolCalls = reply.kind === 'stream' ? (reply.toolCalls ?? []) : [];
    const usage = reply.kind === 'stream' ? reply.usage : undefined;
    const finish = (reply.kind === 'stream' && reply.stopReason) || (toolCalls.length ? 'tool_calls' : 'stop');
    const usageBody = {
      prompt_tokens: (usage?.input ?? 10) + (usage?.cacheRead ?? 0),
      completion_tokens: usage?.output ?? chunks.length,
      total_tokens: (usage?.input ?? 10) + (usage?.cacheRead ?? 0) + (usage?.output ?? chunks.length),
      prompt_tokens_details: { cached_tokens: usage?.cacheRead ?? 0 },
    };
    const argsOf = (call: { arguments: unknown }) => (typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {}));
    if (body.stream !== true) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-loopback',
          object: 'chat.completion',
          created: 1767225600,
          model,
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: chunks.join('') || null,
                tool_calls: toolCalls.length ? toolCalls.map((c, i) => ({ id: c.id ?? `call_${i}`, type: 'function', function: { name: c.name, arguments: argsOf(c) } })) : undefined,
              },
              finish_reason: finish,
            },
          ],
          usage: reply.kind === 'stream' && reply.usageOmitted ? undefined : usageBody,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    const base = { id: 'chatcmpl-loopback', object: 'chat.completion.chunk', created: 1767225600, model };
    const send = (choices: unknown[], extra: Record<string, unknown> = {}) => res.write(`data: ${JSON.stringify({ ...base, choices, ...extra })}\n\n`);
    if (reply.kind === 'stream' && reply.firstByteDelayMs && !(await pause(res, reply.firstByteDelayMs))) return;
    send([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);
    for (let i = 0; i < chunks.length; i++) {
      if (reply.kind === 'drop' && i === reply.afterChunks) {
        res.destroy();
        return;
      }
      if (reply.kind === 'stream' && reply.holdLastChunk && i === chunks.length - 1) await reply.holdLastChunk;
      if (!(await pause(res, reply.delayMs ?? 0))) return;
      send([{ index: 0, delta: { content: chunks[i] }, finish_reason: null }]);
    }
    // Each call: its id and name first, then its arguments a few characters per chunk, as OpenAI sends them.
    for (let index = 0; index < toolCalls.length; index++) {
      const call = toolCalls[index];
      send([{ index: 0, delta: { tool_calls: [{ index, id: call.id ?? `call_${index}`, type: 'function', function: { name: call.name, arguments: '' } }] }, finish_reason: null }]);
      const json = argsOf(call);
      for (let i = 0; i < json.length; i += this.argumentChunk) {
        if (!(await pause(res, 0))) return;
        send([{ index: 0, delta: { tool_calls: [{ index, function: { arguments: json.slice(i, i + this.argumentChunk) } }] }, finish_reason: null }]);
      }
    }
    if (!(await pause(res, 0))) return;
    send([{ index: 0, delta: {}, finish_reason: finish }]);
    const wantsUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    if (wantsUsage && !(reply.kind === 'stream' && reply.usageOmitted)) send([], { usage: usageBody });
    res.write('data: [DONE]\n\n');
    res.end();
  }
}
