import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { CallToolRequestSchema, ListToolsRequestSchema, type Tool } from '@modelcontextprotocol/sdk/types.js';

/** One call the fixture received. */
export interface FixtureCall {
  tool: string;
  args: Record<string, unknown>;
}

/**
 * A real MCP server over streamable HTTP (the SDK's server transport, one session per client) on
 * 127.0.0.1, for tests. It validates nothing itself and counts every call it receives, so a test can
 * tell arguments were refused before they reached it. `setDescription` changes a tool and tells
 * connected clients (`notifications/tools/list_changed`); `stop`/`start` take it down and up again on
 * the same port.
 */
export class McpHttpFixture {
  readonly calls: FixtureCall[] = [];
  /** Headers of every request, to check what a client sent (an Authorization header). */
  readonly requestHeaders: IncomingMessage['headers'][] = [];
  private http: HttpServer | null = null;
  private sockets = new Set<Socket>();
  private sessions = new Map<string, { server: Server; transport: StreamableHTTPServerTransport }>();
  private port = 0;
  private readonly descriptions = new Map<string, string>([
    ['lookup', 'Looks a word up.'],
    ['count', 'Counts to n.'],
  ]);

  get url(): string {
    return `http://127.0.0.1:${this.port}/mcp`;
  }

  static async start(): Promise<McpHttpFixture> {
    const fixture = new McpHttpFixture();
    await fixture.start();
    return fixture;
  }

  tools(): Tool[] {
    return [
      { name: 'lookup', description: this.descriptions.get('lookup')!, inputSchema: { type: 'object', properties: { word: { type: 'string' } }, required: ['word'] } },
      { name: 'count', description: this.descriptions.get('count')!, inputSchema: { type: 'object', properties: { n: { type: 'integer', minimum: 1, maximum: 10 } }, required: ['n'] } },
    ];
  }

  /** Changes a tool's description and tells every connected client its tools changed. */
  async setDescription(tool: string, description: string): Promise<void> {
    this.descriptions.set(tool, description);
    await Promise.all([...this.sessions.values()].map((s) => s.server.sendToolListChanged().catch(() => undefined)));
  }

  async start(): Promise<void> {
    const http = createServer((req, res) => {
      this.requestHeaders.push(req.headers);
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown) : undefined;
        void this.handle(req, res, body).catch((err: unknown) => {
          if (!res.headersSent) res.writeHead(500).end(String(err));
        });
      });
    });
    http.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => http.listen(this.port, '127.0.0.1', () => resolve()));
    this.port = (http.address() as AddressInfo).port;
    this.http = http;
  }

  private async handle(req: IncomingMessage, res: import('node:http').ServerResponse, body: unknown): Promise<void> {
    const sessionId = req.headers['mcp-session-id'];
    const existing = typeof sessionId === 'string' ? this.sessions.get(sessionId) : undefined;
    if (existing) return existing.transport.handleRequest(req, res, body);
    if (req.method !== 'POST') {
      res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32000, message: 'no session' }, id: null }));
      return;
    }
    const server = this.makeServer();
    const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => void this.sessions.set(id, { server, transport }),
    });
    transport.onclose = () => {
      if (transport.sessionId) this.sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  }

  private makeServer(): Server {
    const server = new Server({ name: 'fixture-http', version: '2.0.0' }, { capabilities: { tools: { listChanged: true } } });
    server.setRequestHandler(ListToolsRequestSchema, async () => ({ tools: this.tools() }));
    server.setRequestHandler(CallToolRequestSchema, async (request) => {
      const args = (request.params.arguments ?? {}) as Record<string, unknown>;
      this.calls.push({ tool: request.params.name, args });
      if (request.params.name === 'lookup') return { content: [{ type: 'text' as const, text: `${String(args.word)}: a word` }] };
      if (request.params.name === 'count') return { content: [{ type: 'text' as const, text: Array.from({ length: Number(args.n) }, (_, i) => i + 1).join(' ') }] };
      return { content: [{ type: 'text' as const, text: 'unknown tool' }], isError: true };
    });
    return server;
  }

  /** Takes the server down at once (connections cut), as a crash would; `start` brings it back on the same port. */
  async stop(): Promise<void> {
    const sessions = [...this.sessions.values()];
    this.sessions.clear();
    for (const s of sessions) await s.transport.close().catch(() => undefined);
    for (const socket of this.sockets) socket.destroy();
    const http = this.http;
    this.http = null;
    if (http) await new Promise<void>((resolve) => http.close(() => resolve()));
  }

  async close(): Promise<void> {
    await this.stop();
  }
}
