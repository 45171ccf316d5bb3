import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { McpServerState, McpStoredConfig, McpToolDefinition } from '../contract/index.js';
import { ToolError } from '../tools/index.js';
import type { Clock, Logger, TimerHandle } from '../util/index.js';
import { APP_VERSION } from '../system/index.js';

/**
 * The MCP SDK (its protocol schemas and its own zod and ajv, a third of the host's start) is loaded
 * when the first server starts, not at every start of the app.
 */
type Sdk = { Client: typeof import('@modelcontextprotocol/sdk/client/index.js').Client } & Pick<typeof import('@modelcontextprotocol/sdk/client/stdio.js'), 'StdioClientTransport'> &
  Pick<typeof import('@modelcontextprotocol/sdk/client/streamableHttp.js'), 'StreamableHTTPClientTransport'> &
  Pick<typeof import('@modelcontextprotocol/sdk/types.js'), 'ErrorCode' | 'McpError' | 'ToolListChangedNotificationSchema'>;
let sdk: Sdk | null = null;
const loadSdk = loadOnce(() =>
  Promise.all([
    import('@modelcontextprotocol/sdk/client/index.js'),
    import('@modelcontextprotocol/sdk/client/stdio.js'),
    import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
    import('@modelcontextprotocol/sdk/types.js'),
  ]).then(([client, stdio, http, types]) => (sdk = { Client: client.Client, StdioClientTransport: stdio.StdioClientTransport, StreamableHTTPClientTransport: http.StreamableHTTPClientTransport, ErrorCode: types.ErrorCode, McpError: types.McpError, ToolListChangedNotificationSchema: types.ToolListChangedNotificationSchema })),
);

/** Runs `load` once and shares its result; a failed load is forgotten, so the next call tries again. */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | null = null;
  return () =>
    (loading ??= load().catch((err: unknown) => {
      loading = null;
      throw err;
    }));
}

/** A tool as the server lists it. */
export interface ListedTool {
  name: string;
  definition: McpToolDefinition;
}

/** What a connection tells its manager. */
export interface ConnectionListener {
  state(change: { state: McpServerState; reason: string | null; retryAt: number | null; attempts: number }): void;
  /** The server listed its tools (after each start, and when it says they changed). */
  tools(tools: ListedTool[]): void;
}

export interface ConnectionOptions {
  clock: Clock;
  logger: Logger;
  /** How long a start may take before it counts as failed. */
  startTimeoutMs: number;
  /** Waits before each restart after a failure, the last one repeating. */
  backoffMs: readonly number[];
  /** How long one tool call may go without progress before it fails with `timeout`. */
  callTimeoutMs: number;
  /**
   * Masks configured secrets (this server's env and headers among them). A reason quotes what the
   * server wrote on stderr, and a careless server prints its token there.
   */
  redact: (text: string) => string;
}

// A server that stays up this long has recovered: its next failure waits the shortest time again.
const STABLE_AFTER_MS = 60_000;
const STDERR_KEEP = 2000;
const MAX_TOOL_PAGES = 50;

/**
 * One configured server in this process: its client and transport, its state (`starting`, `ready`,
 * `failed` with the reason), restarts with backoff after a failure, and tool calls. Nothing it does
 * throws out of it: a broken server is a state, never a crash.
 */
export class McpConnection {
  private client: Client | null = null;
  private transport: Transport | null = null;
  private current: McpServerState = 'stopped';
  private reason: string | null = null;
  /** Why the last start failed, kept while it starts again, until it is ready or stopped. */
  private lastFailure: string | null = null;
  private retryAt: number | null = null;
  private attempts = 0;
  private readyAt = 0;
  private timer: TimerHandle | null = null;
  private generation = 0;
  private stderrTail = '';
  private waiters: (() => void)[] = [];
  serverVersion: string | null = null;

  constructor(
    readonly name: string,
    private readonly config: McpStoredConfig,
    private readonly secrets: (kind: 'env' | 'header', key: string) => string | null,
    private readonly listener: ConnectionListener,
    private readonly options: ConnectionOptions,
  ) {}

  get state(): McpServerState {
    return this.current;
  }

  status(): { state: McpServerState; reason: string | null; retryAt: number | null; attempts: number } {
    return { state: this.current, reason: this.reason, retryAt: this.retryAt, attempts: this.attempts };
  }

  /** Starts the server (again, if it runs). Resolves when it is ready or has failed; never rejects. */
  start(): Promise<void> {
    const settled = this.settled();
    void this.connect();
    return settled;
  }

  /** Resolves at the next `ready` or `failed`, or at once when stopped. */
  settled(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Stops it for good (the app closing, the server removed or turned off). */
  async stop(): Promise<void> {
    this.generation++;
    this.clearTimer();
    const closing = this.closeClient();
    this.lastFailure = null;
    this.setState('stopped', null, null);
    await closing;
  }

  private async connect(): Promise<void> {
    const generation = ++this.generation;
    this.clearTimer();
    await this.closeClient();
    if (generation !== this.generation) return;
    this.stderrTail = '';
    // A start after a failure keeps saying why the server is down: it is not up until it is ready.
    this.setState('starting', this.lastFailure, null);
    let mcp: Sdk;
    let transport: Transport;
    try {
      mcp = await loadSdk();
      if (generation !== this.generation) return;
      transport = this.makeTransport(mcp);
    } catch (err) {
      return this.fail(generation, (err as Error).message);
    }
    const { ToolListChangedNotificationSchema } = mcp;
    const client = new mcp.Client({ name: 'agent-blob', version: APP_VERSION }, { capabilities: {} });
    this.client = client;
    this.transport = transport;
    client.onclose = () => {
      if (generation === this.generation && this.client === client) this.fail(generation, this.exitReason(this.config.transport === 'stdio' ? 'the server process exited' : 'the connection closed'));
    };
    client.onerror = (err) => {
      if (generation === this.generation) this.options.logger.log('warn', 'MCP server error', { server: this.name, error: String(err?.message ?? err) });
    };
    let timedOut = false;
    const timeout = this.options.clock.setTimeout(() => {
      timedOut = true;
      if (generation !== this.generation) return;
      this.fail(generation, `it did not start within ${Math.round(this.options.startTimeoutMs / 1000)} s`);
    }, this.options.startTimeoutMs);
    try {
      await client.connect(transport);
      if (timedOut || generation !== this.generation) return;
      client.setNotificationHandler(ToolListChangedNotificationSchema, async () => {
        if (generation !== this.generation) return;
        try {
          this.listener.tools(await this.listTools(client));
        } catch (err) {
          this.options.logger.log('warn', 'MCP server failed to list its changed tools', { server: this.name, error: String((err as Error)?.message ?? err) });
        }
      });
      const tools = await this.listTools(client);
      if (timedOut || generation !== this.generation) return;
      const info = client.getServerVersion();
      this.serverVersion = info ? `${info.name} ${info.version}` : null;
      this.options.clock.clearTimeout(timeout);
      this.listener.tools(tools);
      this.readyAt = this.options.clock.now();
      // What it wrote while starting is not why it may fail later.
      this.stderrTail = '';
      this.lastFailure = null;
      this.setState('ready', null, null);
    } catch (err) {
      this.options.clock.clearTimeout(timeout);
      if (timedOut || generation !== this.generation) return;
      this.fail(generation, this.exitReason(describeError(err)));
    }
  }

  private makeTransport({ StdioClientTransport, StreamableHTTPClientTransport }: Sdk): Transport {
    const c = this.config;
    if (c.transport === 'http') {
      const headers: Record<string, string> = {};
      for (const h of c.headers) {
        const value = this.secrets('header', h);
        if (value === null) throw new Error(`the value of header ${h} is missing from the secret store; set it again`);
        headers[h] = value;
      }
      return new StreamableHTTPClientTransport(new URL(c.url ?? ''), { requestInit: { headers } });
    }
    const env: Record<string, string> = { ...c.env };
    for (const key of c.secretEnv) {
      const value = this.secrets('env', key);
      if (value === null) throw new Error(`the value of ${key} is missing from the secret store; set it again`);
      env[key] = value;
    }
    const transport = new StdioClientTransport({ command: c.command ?? '', args: c.args, env, cwd: c.cwd ?? undefined, stderr: 'pipe' });
    transport.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-STDERR_KEEP);
    });
    return transport;
  }

  private async listTools(client: Client): Promise<ListedTool[]> {
    const tools: ListedTool[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MAX_TOOL_PAGES; page++) {
      const result = await client.listTools(cursor ? { cursor } : undefined);
      for (const t of result.tools) tools.push({ name: t.name, definition: { description: t.description ?? '', inputSchema: (t.inputSchema ?? { type: 'object' }) as Record<string, unknown> } });
      cursor = result.nextCursor;
      if (!cursor) break;
    }
    return tools;
  }

  /** Calls a tool; `signal` cancels it with the protocol's cancellation. Failures are `ToolError`s. */
  async callTool(tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<Record<string, unknown>> {
    const client = this.client;
    if (!client || this.current !== 'ready') throw new ToolError('unavailable', `the MCP server ${this.name} is ${this.current}${this.reason ? `: ${this.reason}` : ''}`);
    const generation = this.generation;
    try {
      return (await client.callTool({ name: tool, arguments: args }, undefined, {
        signal,
        timeout: this.options.callTimeoutMs,
        resetTimeoutOnProgress: true,
        onprogress: () => {},
      })) as Record<string, unknown>;
    } catch (err) {
      if (signal.aborted) throw new ToolError('cancelled', 'the run was cancelled');
      // A client exists, so the SDK is loaded.
      const { McpError, ErrorCode } = sdk ?? (await loadSdk());
      if (err instanceof McpError && err.code === ErrorCode.RequestTimeout) throw new ToolError('timeout', `${this.name} did not answer ${tool} within ${Math.round(this.options.callTimeoutMs / 1000)} s`);
      if (err instanceof McpError && err.code !== ErrorCode.ConnectionClosed) throw new ToolError(err.code === ErrorCode.InvalidParams ? 'invalid_args' : 'failed', this.options.redact(`${this.name}: ${err.message}`));
      // The connection itself broke (a process gone, an HTTP server down): restart it.
      const reason = this.exitReason(err instanceof McpError ? (this.config.transport === 'stdio' ? 'the server process exited' : 'the connection closed') : describeError(err));
      if (generation === this.generation && this.current === 'ready') this.fail(generation, reason);
      throw new ToolError('unavailable', this.options.redact(`the MCP server ${this.name} stopped answering: ${reason}`));
    }
  }

  private fail(generation: number, reason: string): void {
    if (generation !== this.generation) return;
    // The next start is a new generation: whatever the old client still does is ignored.
    this.generation++;
    void this.closeClient();
    const now = this.options.clock.now();
    if (this.readyAt && now - this.readyAt >= STABLE_AFTER_MS) this.attempts = 0;
    this.readyAt = 0;
    this.attempts++;
    const delays = this.options.backoffMs;
    const delay = delays[Math.min(this.attempts - 1, delays.length - 1)] ?? 60_000;
    const retryAt = now + delay;
    this.options.logger.log('warn', 'MCP server failed', { server: this.name, reason: this.options.redact(reason), retryInMs: delay, attempts: this.attempts });
    this.lastFailure = reason;
    this.setState('failed', reason, retryAt);
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
  }

  private exitReason(base: string): string {
    const tail = this.stderrTail.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
    return tail ? `${base}; it wrote: ${tail.slice(-500)}` : base;
  }

  private setState(state: McpServerState, rawReason: string | null, retryAt: number | null): void {
    const reason = rawReason === null ? null : this.options.redact(rawReason);
    const changed = state !== this.current || reason !== this.reason || retryAt !== this.retryAt;
    this.current = state;
    this.reason = reason;
    this.retryAt = retryAt;
    if (changed) this.listener.state({ state, reason, retryAt, attempts: this.attempts });
    if (state !== 'starting') {
      const waiters = this.waiters;
      this.waiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private clearTimer(): void {
    if (this.timer !== null) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  private async closeClient(): Promise<void> {
    const client = this.client;
    const transport = this.transport;
    this.client = null;
    this.transport = null;
    if (!client) return;
    try {
      if (sdk && transport instanceof sdk.StreamableHTTPClientTransport) await transport.terminateSession().catch(() => undefined);
      await client.close();
    } catch (err) {
      this.options.logger.log('warn', 'MCP server did not close cleanly', { server: this.name, error: String((err as Error)?.message ?? err) });
    }
  }
}

/** A readable reason from whatever a start or call threw. */
function describeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException & { cause?: { code?: string; message?: string } };
  if (e?.code === 'ENOENT' && e.syscall?.startsWith('spawn')) return `the command ${e.path ?? ''} was not found`;
  if (e?.code === 'EACCES' && e.syscall?.startsWith('spawn')) return `the command ${e.path ?? ''} cannot be run (permission denied)`;
  if (e?.cause?.code === 'ECONNREFUSED') return 'nothing answers at its address (connection refused)';
  if (e?.cause?.code) return `${e.message} (${e.cause.code})`;
  return String(e?.message ?? err).slice(0, 500);
}
