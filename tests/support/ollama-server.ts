import type { ServerResponse } from 'node:http';
import { LoopbackServer, pause } from './loopback-server.js';
import type { ScriptedReply } from './script.js';

/**
 * A loopback server that speaks Ollama's HTTP API: `POST /api/chat` streaming NDJSON (one JSON object
 * a line, the last with `done: true` and token counts), `GET /api/tags`, and `POST /api/embed` with a
 * caller-supplied embedding function. Point the real `ollama` client at it with `host`.
 */
export class OllamaLoopback extends LoopbackServer {
  /** Embeds texts for `/api/embed`; the default is a deterministic hash embedding. */
  embed: (texts: string[], model: string) => number[][] = (texts) => texts.map((t) => hashEmbedding(t, 8));
  models = ['llama3.2:latest'];
  /** While set, `/api/embed` answers only once it resolves (an embedder that is slow to answer). */
  holdEmbed: Promise<void> | null = null;
  /** While set, an `/api/embed` request answers only once the promise it returns for its inputs resolves (null: at once). */
  holdEmbedOf: ((input: string[]) => Promise<void> | null) | null = null;

  constructor() {
    super((path, method) => {
      if (method === 'POST' && path === '/api/chat') return (_req, res, body) => this.chat(res, body as Record<string, unknown>);
      if (method === 'GET' && path === '/api/tags') {
        return (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ models: this.models.map((name) => ({ name, model: name, size: 1, digest: 'loopback', modified_at: '2026-01-01T00:00:00Z' })) }));
        };
      }
      if (method === 'POST' && path === '/api/embed') {
        return async (_req, res, body) => {
          if (this.holdEmbed) await this.holdEmbed;
          const b = body as { input: string | string[]; model: string };
          const input = Array.isArray(b.input) ? b.input : [b.input];
          const held = this.holdEmbedOf?.(input);
          if (held) await held;
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ model: b.model, embeddings: this.embed(input, b.model) }));
        };
      }
      return null;
    });
  }

  static async start(): Promise<OllamaLoopback> {
    return new OllamaLoopback().start();
  }

  private async chat(res: ServerResponse, body: Record<string, unknown>): Promise<void> {
    const reply: ScriptedReply = this.nextReply(body);
    const model = (reply.kind === 'stream' && reply.model) || String(body?.model ?? 'llama3.2');
    if (reply.kind === 'hang') {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.flushHeaders();
      await new Promise<void>((resolve) => res.once('close', () => resolve()));
      return;
    }
    if (reply.kind === 'error') {
      res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
      res.end(JSON.stringify({ error: reply.message ?? reply.type ?? `scripted ${reply.status}` }));
      return;
    }
    const line = (obj: unknown) => res.write(JSON.stringify(obj) + '\n');
    const createdAt = new Date().toISOString();
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.flushHeaders();
    if (reply.kind === 'stream' && reply.firstByteDelayMs && !(await pause(res, reply.firstByteDelayMs))) return;
    const chunks = reply.chunks ?? [];
    for (let i = 0; i < chunks.length; i++) {
      if (reply.kind === 'drop' && i === reply.afterChunks) {
        res.destroy();
        return;
      }
      if (reply.kind === 'stream' && reply.holdLastChunk && i === chunks.length - 1) await reply.holdLastChunk;
      if (!(await pause(res, reply.delayMs ?? 0))) return;
      line({ model, created_at: createdAt, message: { role: 'assistant', content: chunks[i] }, done: false });
    }
    const toolCalls = reply.kind === 'stream' ? (reply.toolCalls ?? []) : [];
    if (toolCalls.length) {
      line({
        model,
        created_at: createdAt,
        message: { role: 'assistant', content: '', tool_calls: toolCalls.map((c) => ({ function: { name: c.name, arguments: c.arguments } })) },
        done: false,
      });
    }
    const usage = reply.kind === 'stream' ? reply.usage : undefined;
    line({
      model,
      created_at: createdAt,
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: (reply.kind === 'stream' && reply.stopReason) || 'stop',
      total_duration: 1,
      load_duration: 1,
      prompt_eval_count: usage?.input ?? 10,
      prompt_eval_duration: 1,
      eval_count: usage?.output ?? chunks.length,
      eval_duration: 1,
    });
    res.end();
  }
}

/** A deterministic unit vector from a text (tests of the Ollama embedder path). */
export function hashEmbedding(text: string, dims: number): number[] {
  const v = new Array<number>(dims).fill(0);
  for (const word of text.toLowerCase().split(/\W+/).filter(Boolean)) {
    let h = 2166136261;
    for (const ch of word) h = Math.imul(h ^ ch.charCodeAt(0), 16777619);
    v[Math.abs(h) % dims] += 1;
  }
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}
