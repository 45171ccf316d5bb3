import type { ServerResponse } from 'node:http';
import { LoopbackServer, pause } from './loopback-server.js';
import type { ScriptedReply } from './script.js';

/**
 * A loopback server that speaks Anthropic's Messages API wire format: `POST /v1/messages` with
 * server-sent events (`message_start`, `content_block_*`, `message_delta`, `message_stop`), JSON error
 * bodies with `retry-after`, and `GET /v1/models`. Point the real SDK at it with `baseURL`.
 */
export class AnthropicLoopback extends LoopbackServer {
  constructor() {
    super((path, method) => {
      if (method === 'POST' && path === '/v1/messages') return (_req, res, body) => this.messages(res, body as Record<string, unknown>);
      if (method === 'GET' && path === '/v1/models') {
        return (_req, res) => {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ data: [{ type: 'model', id: 'claude-loopback', display_name: 'Loopback', created_at: '2026-01-01T00:00:00Z' }], has_more: false, first_id: 'claude-loopback', last_id: 'claude-loopback' }));
        };
      }
      return null;
    });
  }

  static async start(): Promise<AnthropicLoopback> {
    return new AnthropicLoopback().start();
  }

  private async messages(res: ServerResponse, body: Record<string, unknown>): Promise<void> {
    const reply: ScriptedReply = this.nextReply(body);
    const model = (reply.kind === 'stream' && reply.model) || String(body?.model ?? 'claude-loopback');
    if (reply.kind === 'hang') {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
      await new Promise<void>((resolve) => res.once('close', () => resolve()));
      return;
    }
    if (reply.kind === 'error') {
      res.writeHead(reply.status, { 'content-type': 'application/json', ...(reply.headers ?? {}) });
      res.end(JSON.stringify({ type: 'error', error: { type: reply.type ?? 'api_error', message: reply.message ?? `scripted ${reply.status}` } }));
      return;
    }
    if (body?.stream !== true) {
      const text = reply.kind === 'stream' ? (reply.chunks ?? []).join('') : '';
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'msg_loopback',
          type: 'message',
          role: 'assistant',
          model,
          content: [{ type: 'text', text }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage: { input_tokens: reply.kind === 'stream' ? (reply.usage?.input ?? 10) : 10, output_tokens: reply.kind === 'stream' ? (reply.usage?.output ?? 5) : 5 },
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    res.flushHeaders();
    const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    if (reply.kind === 'stream' && reply.firstByteDelayMs && !(await pause(res, reply.firstByteDelayMs))) return;
    const usage = reply.kind === 'stream' ? reply.usage : undefined;
    send('message_start', {
      type: 'message_start',
      message: {
        id: 'msg_loopback',
        type: 'message',
        role: 'assistant',
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: usage?.input ?? 10,
          output_tokens: 1,
          cache_read_input_tokens: usage?.cacheRead ?? 0,
          cache_creation_input_tokens: usage?.cacheWrite ?? 0,
        },
      },
    });
    const chunks = reply.chunks ?? [];
    const delay = reply.delayMs ?? 0;
    let index = 0;
    if (chunks.length) {
      send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      for (let i = 0; i < chunks.length; i++) {
        if (reply.kind === 'drop' && i === reply.afterChunks) {
          res.destroy();
          return;
        }
        if (reply.kind === 'stream' && reply.holdLastChunk && i === chunks.length - 1) await reply.holdLastChunk;
        if (!(await pause(res, delay))) return;
        send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text: chunks[i] } });
      }
      send('content_block_stop', { type: 'content_block_stop', index });
      index++;
    }
    const toolCalls = reply.kind === 'stream' ? (reply.toolCalls ?? []) : [];
    for (const call of toolCalls) {
      const id = call.id ?? `toolu_${index}`;
      send('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id, name: call.name, input: {} } });
      const json = typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments ?? {});
      for (let i = 0; i < json.length; i += 16) {
        send('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: json.slice(i, i + 16) } });
      }
      send('content_block_stop', { type: 'content_block_stop', index });
      index++;
    }
    if (!(await pause(res, 0))) return;
    const stopReason = (reply.kind === 'stream' && reply.stopReason) || (toolCalls.length ? 'tool_use' : 'end_turn');
    send('message_delta', { type: 'message_delta', delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: usage?.output ?? chunks.length } });
    send('message_stop', { type: 'message_stop' });
    res.end();
  }
}
