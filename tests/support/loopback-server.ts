import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedRequest, ScriptedReply } from './script.js';

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, body: unknown, record: RecordedRequest) => Promise<void> | void;

/**
 * A small HTTP server on 127.0.0.1 with a queue of scripted replies, recording every request. The
 * provider servers build on it.
 */
export class LoopbackServer {
  readonly requests: RecordedRequest[] = [];
  private queue: ScriptedReply[] = [];
  private fallback: ScriptedReply | null = null;
  private responder: ((body: unknown) => ScriptedReply | null) | null = null;
  private server: Server;
  private sockets = new Set<import('node:net').Socket>();
  /** How many connections clients have opened so far (a client that keeps them alive opens few). */
  connectionsOpened = 0;
  url = '';

  constructor(private readonly route: (path: string, method: string) => RouteHandler | null) {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.server.on('connection', (socket) => {
      this.connectionsOpened++;
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    this.url = `http://127.0.0.1:${port}`;
    return this;
  }

  /** Queues replies, used in order. */
  script(...replies: ScriptedReply[]): this {
    this.queue.push(...replies);
    return this;
  }

  /** The reply used when the queue is empty. */
  always(reply: ScriptedReply): this {
    this.fallback = reply;
    return this;
  }

  /**
   * Answers from the request itself, before the queue: for concurrent callers (workers) whose
   * requests arrive in no fixed order. Return null to fall through to the queue.
   */
  respond(fn: ((body: unknown) => ScriptedReply | null) | null): this {
    this.responder = fn;
    return this;
  }

  nextReply(body?: unknown): ScriptedReply {
    const answered = this.responder?.(body) ?? null;
    if (answered) return answered;
    return this.queue.shift() ?? this.fallback ?? { kind: 'error', status: 500, type: 'api_error', message: 'no scripted reply left' };
  }

  pending(): number {
    return this.queue.length;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown = raw;
    try {
      body = raw ? JSON.parse(raw) : null;
    } catch {
      // keep the raw text
    }
    const path = (req.url ?? '/').split('?')[0];
    const record: RecordedRequest = { method: req.method ?? 'GET', path, headers: req.headers, body, aborted: false };
    this.requests.push(record);
    res.on('close', () => {
      if (!res.writableFinished) record.aborted = true;
    });
    const handler = this.route(path, record.method);
    if (!handler) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `no route ${record.method} ${path}` }));
      return;
    }
    try {
      await handler(req, res, body, record);
    } catch {
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  }
}

/** Resolves after `ms`, or at once when the response has closed (the client went away). */
export function pause(res: ServerResponse, ms: number): Promise<boolean> {
  if (res.destroyed || res.writableEnded) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(!res.destroyed);
    }, ms);
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    res.once('close', onClose);
  });
}
