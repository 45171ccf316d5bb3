import type { HealthCheck } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import type { CapabilityModule } from '../modules/index.js';
import type { SecretStore } from '../secrets/index.js';
import type { ToolRegistry } from '../tools/index.js';
import type { Clock, Logger } from '../util/index.js';
import { McpManager } from './manager.js';
import { createMcpProjector, McpQueries } from './store.js';

/** Timing of MCP servers; tests shorten it. */
export interface McpOptions {
  /** Start every enabled server when the core starts (default: yes, except the command line's own short-lived core). */
  autostart?: boolean;
  /** How long a server may take to start (default 30 s). */
  startTimeoutMs?: number;
  /** Waits before restarts after a failure, the last one repeating (default 1 s, 2 s, 5 s, 15 s, 1 min, 5 min). */
  backoffMs?: number[];
  /** How long one tool call may go without progress (default 5 min). */
  callTimeoutMs?: number;
}

export interface McpModuleDeps {
  db: WritableDB;
  log: EventLog;
  clock: Clock;
  logger: Logger;
  secrets: SecretStore;
  tools: ToolRegistry;
  /** Masks configured secrets in what a server says (its stderr in a failure's reason, its errors). */
  redact: (text: string) => string;
  options?: McpOptions;
}

export interface McpModule extends CapabilityModule {
  readonly manager: McpManager;
  /** Warnings for servers that failed or whose tools changed since approval. */
  healthChecks(): HealthCheck[];
}

/** MCP servers: configuration, connections with restarts, approved tools in the live registry. */
export function createMcpModule(deps: McpModuleDeps): McpModule {
  const options = deps.options ?? {};
  const manager = new McpManager({
    log: deps.log,
    queries: new McpQueries(deps.db),
    secrets: deps.secrets,
    registry: deps.tools,
    options: {
      clock: deps.clock,
      logger: deps.logger,
      startTimeoutMs: options.startTimeoutMs ?? 30_000,
      backoffMs: options.backoffMs ?? [1000, 2000, 5000, 15_000, 60_000, 300_000],
      callTimeoutMs: options.callTimeoutMs ?? 300_000,
      redact: deps.redact,
    },
  });
  return {
    name: 'mcp',
    manager,
    projectors: [createMcpProjector(deps.db)],
    handlers: {
      'mcp.list': () => ({ servers: manager.list() }),
      'mcp.show': ({ name }) => manager.show(name),
      'mcp.add': ({ name, server, wait }) => manager.add(name, server, wait),
      'mcp.update': ({ name, server, wait }) => manager.update(name, server, wait),
      'mcp.setEnabled': ({ name, enabled }) => manager.setEnabled(name, enabled),
      'mcp.import': ({ json, replace }) => manager.import(json, replace),
      'mcp.remove': ({ name }) => manager.remove(name),
      'mcp.approve': ({ name, tools }) => manager.approve(name, tools),
      'mcp.test': ({ name }) => manager.test(name),
    },
    healthChecks: () => manager.healthChecks(),
    start: () => manager.start(options.autostart ?? true),
    stop: () => manager.stop(),
  };
}
