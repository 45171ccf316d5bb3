import { AppError, type HealthCheck, type McpServerDetail, type McpServerInfo, type McpServerInput, type McpStoredConfig, type McpToolInfo } from '../contract/index.js';
import type { EventLog } from '../events/index.js';
import type { SecretStore } from '../secrets/index.js';
import type { ToolRegistry } from '../tools/index.js';
import { bridgeTool, bridgedToolName } from './bridge.js';
import { parseImport, secretName, secretNamesOf, splitConfig } from './config.js';
import { McpConnection, type ConnectionOptions, type ListedTool } from './connection.js';
import { definitionHash, diffDefinitions, pinState } from './pinning.js';
import type { McpQueries } from './store.js';

export interface McpManagerDeps {
  log: EventLog;
  queries: McpQueries;
  secrets: SecretStore;
  registry: ToolRegistry;
  options: ConnectionOptions;
}

/** The registry owner of a server's tools. */
const ownerOf = (server: string) => `mcp:${server}`;

/**
 * Every configured MCP server: their configuration (database + secret store), their connections in
 * this process, the tools each offers the assistant (approved definitions only) and the commands
 * that change them.
 */
export class McpManager {
  private readonly connections = new Map<string, McpConnection>();
  /** Why an approved tool still cannot be offered (its schema), by server then tool. */
  private readonly problems = new Map<string, Map<string, string>>();
  private stopped = false;

  constructor(private readonly deps: McpManagerDeps) {}

  /** Starts every enabled server (when `autostart`); failures become states, never exceptions. */
  start(autostart: boolean): void {
    for (const { name, config } of this.deps.queries.list()) {
      const connection = this.connect(name, config);
      if (autostart && config.enabled) void connection.start();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.connections.values()];
    this.connections.clear();
    for (const c of all) this.deps.registry.removeOwner(ownerOf(c.name));
    await Promise.all(all.map((c) => c.stop()));
  }

  list(): McpServerInfo[] {
    return this.deps.queries.list().map(({ name, config }) => this.info(name, config));
  }

  show(name: string): McpServerDetail {
    const config = this.configOf(name);
    const info = this.info(name, config);
    const stored = this.deps.queries.toolsOf(name);
    return {
      ...info,
      tools: info.tools.map((t, i) => {
        const s = stored[i];
        return { ...t, current: s.definition, approved: s.approved?.definition ?? null, diff: s.approved && s.approved.hash !== s.hash ? diffDefinitions(s.approved.definition, s.definition) : [] };
      }),
    };
  }

  async add(name: string, input: McpServerInput, wait: boolean): Promise<McpServerInfo> {
    if (this.deps.queries.config(name)) throw new AppError('conflict', `a server named ${name} is already configured; change it with mcp.update or remove it first`);
    return this.save(name, input, null, wait);
  }

  async update(name: string, input: McpServerInput, wait: boolean): Promise<McpServerInfo> {
    return this.save(name, input, this.configOf(name), wait);
  }

  async setEnabled(name: string, enabled: boolean): Promise<McpServerInfo> {
    const config = { ...this.configOf(name), enabled };
    this.deps.log.transaction(() => this.deps.log.append('mcp.server.saved', { name, config, created: false }, null));
    await this.restart(name, config, false);
    return this.info(name, config);
  }

  async remove(name: string): Promise<{ name: string }> {
    const config = this.configOf(name);
    const connection = this.connections.get(name);
    this.connections.delete(name);
    this.deps.registry.removeOwner(ownerOf(name));
    await connection?.stop();
    this.deps.log.transaction(() => this.deps.log.append('mcp.server.removed', { name }, null));
    for (const secret of secretNamesOf(name, config)) this.deps.secrets.set(secret, null);
    this.problems.delete(name);
    return { name };
  }

  /** Adds the servers of a Claude Desktop configuration; each valid entry starts like an added server. */
  async import(json: string, replace: boolean): Promise<{ added: string[]; replaced: string[]; skipped: { name: string; reason: string }[]; renamed: { from: string; to: string }[] }> {
    const result = { added: [] as string[], replaced: [] as string[], skipped: [] as { name: string; reason: string }[], renamed: [] as { from: string; to: string }[] };
    for (const entry of parseImport(json)) {
      if (entry.name !== entry.originalName) result.renamed.push({ from: entry.originalName, to: entry.name });
      if ('error' in entry) {
        result.skipped.push({ name: entry.originalName, reason: entry.error });
        continue;
      }
      const existing = this.deps.queries.config(entry.name);
      if (existing && !replace) {
        result.skipped.push({ name: entry.originalName, reason: `a server named ${entry.name} is already configured` });
        continue;
      }
      try {
        await this.save(entry.name, entry.input, existing, false);
        (existing ? result.replaced : result.added).push(entry.name);
      } catch (err) {
        result.skipped.push({ name: entry.originalName, reason: (err as Error).message });
      }
    }
    return result;
  }

  /** Approves the definitions listed now (all, or the named tools): each is offered while it stays the same. */
  approve(name: string, tools?: readonly string[]): McpServerInfo {
    const config = this.configOf(name);
    const stored = this.deps.queries.toolsOf(name);
    if (!stored.length) throw new AppError('unavailable', `${name} has listed no tools yet; start it (mcp test ${name}) and approve it once it is ready`);
    const unknown = (tools ?? []).filter((t) => !stored.some((s) => s.name === t || bridgedToolName(name, s.name) === t));
    if (unknown.length) throw new AppError('not_found', `${name} lists no tool named ${unknown.join(', ')}; it lists ${stored.map((s) => s.name).join(', ')}`);
    const chosen = stored.filter((s) => !tools || tools.includes(s.name) || tools.includes(bridgedToolName(name, s.name)));
    const pending = chosen.filter((s) => s.approved?.hash !== s.hash);
    if (pending.length) {
      this.deps.log.transaction(() =>
        this.deps.log.append('mcp.tools.approved', { server: name, tools: pending.map((s) => ({ name: s.name, description: s.definition.description, inputSchema: s.definition.inputSchema, hash: s.hash })) }, null),
      );
      this.syncTools(name);
    }
    return this.info(name, config);
  }

  /** Starts a server again now and answers once it is ready or failed. */
  async test(name: string): Promise<{ ok: boolean; server: McpServerInfo }> {
    const config = this.configOf(name);
    if (!config.enabled) throw new AppError('conflict', `${name} is turned off; turn it on first (mcp.setEnabled)`);
    await this.restart(name, config, true);
    const server = this.info(name, config);
    return { ok: server.state === 'ready', server };
  }

  /** A warning for each server that failed or has tools changed since their approval. */
  healthChecks(): HealthCheck[] {
    const checks: HealthCheck[] = [];
    for (const server of this.list()) {
      if (!server.enabled) {
        checks.push({ name: `mcp ${server.name}`, status: 'ok', detail: 'turned off' });
        continue;
      }
      const changed = server.tools.filter((t) => t.pin === 'changed').map((t) => t.name);
      const fresh = server.tools.filter((t) => t.pin === 'new').map((t) => t.name);
      const parts: string[] = [];
      let status: HealthCheck['status'] = 'ok';
      if (server.state === 'failed') {
        status = 'warn';
        parts.push(`failed: ${server.reason ?? 'unknown reason'}${server.retryAt ? `; retrying at ${new Date(server.retryAt).toISOString()}` : ''}`);
      } else if (server.state === 'starting' && server.reason) {
        // Starting again after a failure: still down until it answers.
        status = 'warn';
        parts.push(`failed: ${server.reason}; starting again (attempt ${server.attempts + 1})`);
      } else parts.push(server.state === 'ready' ? `ready, ${server.tools.filter((t) => t.offered).length} of ${server.tools.length} tools offered` : server.state);
      if (changed.length) {
        status = 'warn';
        parts.push(`changed since approval, not offered until approved again: ${changed.join(', ')}`);
      }
      if (fresh.length) parts.push(`waiting for approval: ${fresh.join(', ')}`);
      checks.push({ name: `mcp ${server.name}`, status, detail: parts.join('; ') });
    }
    return checks;
  }

  private async save(name: string, input: McpServerInput, previous: McpStoredConfig | null, wait: boolean): Promise<McpServerInfo> {
    const { config, secrets } = splitConfig(name, input, previous);
    // Secrets first: the configuration that names them is only saved once they are stored.
    for (const [key, value] of secrets) if (value !== null) this.deps.secrets.set(key, value);
    if (previous) for (const old of secretNamesOf(name, previous)) if (!secrets.has(old)) this.deps.secrets.set(old, null);
    this.deps.log.transaction(() => this.deps.log.append('mcp.server.saved', { name, config, created: previous === null }, null));
    await this.restart(name, config, wait);
    return this.info(name, config);
  }

  /** Replaces a server's connection with one on `config`; starts it when enabled. */
  private async restart(name: string, config: McpStoredConfig, wait: boolean): Promise<void> {
    const old = this.connections.get(name);
    this.connections.delete(name);
    this.deps.registry.removeOwner(ownerOf(name));
    await old?.stop();
    if (this.stopped) return;
    const connection = this.connect(name, config);
    if (!config.enabled) return;
    const started = connection.start();
    if (wait) await started;
  }

  private connect(name: string, config: McpStoredConfig): McpConnection {
    const connection: McpConnection = new McpConnection(
      name,
      config,
      (kind, key) => this.deps.secrets.get(secretName(name, kind, key)),
      {
        state: (change) => {
          if (this.connections.get(name) !== connection) return;
          this.deps.log.transaction(() => this.deps.log.append('mcp.server.state', { name, ...change }, null));
          this.syncTools(name);
        },
        tools: (listed) => {
          if (this.connections.get(name) !== connection) return;
          this.recordListing(name, listed);
          this.syncTools(name);
        },
      },
      this.deps.options,
    );
    this.connections.set(name, connection);
    return connection;
  }

  /** Stores a listing when it differs from the one stored (names, order, definitions). */
  private recordListing(server: string, listed: ListedTool[]): void {
    const tools = listed.map((t) => ({ name: t.name, description: t.definition.description, inputSchema: t.definition.inputSchema, hash: definitionHash(t.name, t.definition) }));
    const stored = this.deps.queries.toolsOf(server);
    const same = stored.length === tools.length && stored.every((s, i) => s.name === tools[i].name && s.hash === tools[i].hash);
    if (!same) this.deps.log.transaction(() => this.deps.log.append('mcp.tools.listed', { server, tools }, null));
  }

  /** Offers exactly the approved, unchanged, checkable tools of a ready server; nothing of any other. */
  private syncTools(server: string): void {
    const connection = this.connections.get(server);
    const owner = ownerOf(server);
    const problems = new Map<string, string>();
    const offered = [];
    if (connection?.state === 'ready') {
      for (const t of this.deps.queries.toolsOf(server)) {
        if (pinState(t.hash, t.approved?.hash ?? null) !== 'approved') continue;
        const bridged = bridgeTool(connection, t.name, t.definition);
        if (bridged.ok) offered.push(bridged.tool);
        else problems.set(t.name, bridged.problem);
      }
    }
    this.problems.set(server, problems);
    const now = new Set(offered.map((t) => t.name));
    const stale = this.deps.registry
      .list()
      .filter((t) => this.deps.registry.ownerOf(t.name) === owner && !now.has(t.name))
      .map((t) => t.name);
    if (stale.length) this.deps.registry.remove(stale);
    if (offered.length) this.deps.registry.add(offered, owner);
  }

  private info(name: string, config: McpStoredConfig): McpServerInfo {
    const connection = this.connections.get(name);
    const status = connection?.status() ?? { state: 'stopped' as const, reason: null, retryAt: null, attempts: 0 };
    const problems = this.problems.get(name);
    const tools: McpToolInfo[] = this.deps.queries.toolsOf(name).map((t) => {
      const bridgedName = bridgedToolName(name, t.name);
      return {
        name: t.name,
        bridgedName,
        description: t.definition.description,
        pin: pinState(t.hash, t.approved?.hash ?? null),
        offered: this.deps.registry.ownerOf(bridgedName) === ownerOf(name),
        problem: problems?.get(t.name) ?? null,
      };
    });
    return {
      name,
      transport: config.transport,
      command: config.command,
      args: config.args,
      cwd: config.cwd,
      env: [...Object.entries(config.env).map(([key, value]) => ({ key, value, secret: false })), ...config.secretEnv.map((key) => ({ key, value: null, secret: true }))],
      url: config.url,
      headers: config.headers,
      enabled: config.enabled,
      state: status.state,
      reason: status.reason,
      retryAt: status.retryAt,
      attempts: status.attempts,
      serverVersion: connection?.serverVersion ?? null,
      tools,
    };
  }

  private configOf(name: string): McpStoredConfig {
    const config = this.deps.queries.config(name);
    if (!config) throw new AppError('not_found', `no MCP server named ${name}; see mcp list`);
    return config;
  }
}
