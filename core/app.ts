import { join } from 'node:path';
import { createAgentModule, type AgentRuntime } from './agent/index.js';
import { createChatModule } from './chat/index.js';
import { openDataFolder, type DataDirLock, type DataPaths, type LockInfo } from './datadir/index.js';
import type { DatabaseInfo, WritableDB } from './db/index.js';
import { EventLog } from './events/index.js';
import { Gateway } from './gateway/index.js';
import { LOG_FILE, createLogsModule } from './logs/index.js';
import { createMcpModule, type McpOptions } from './mcp/index.js';
import { createMemoryModule, type MemoryProposals, type MemoryService } from './memory/index.js';
import { ModuleHost } from './modules/index.js';
import { createPermissionsModule, systemResolver, type HostResolver, type Permissions } from './permissions/index.js';
import { createProvidersModule, type ModelProvider, type ProviderId } from './providers/index.js';
import { createRunsModule, type RunLimits, type RunManager, type RunQueue } from './runs/index.js';
import { createFileSecretStore, createRedactor, type SecretStore } from './secrets/index.js';
import { createSchedulerModule, type ScheduleService, type SchedulerOptions } from './scheduler/index.js';
import { createSettingsModule, type SettingsService } from './settings/index.js';
import { createSkillsModule, findBundledSkills } from './skills/index.js';
import { createSystemModule } from './system/index.js';
import { createTimelineModule } from './timeline/index.js';
import { createToolsModule, type ToolRegistry } from './tools/index.js';
import { createWorkersModule, type WorkersModule } from './workers/index.js';
import { createFileLogger, createIds, systemClock, type Clock, type Ids, type Logger } from './util/index.js';

export { AppError } from './contract/index.js';
export { APP_VERSION } from './system/index.js';

export interface CoreOptions {
  dataDir: string;
  /** Who runs this core; written into the lock so others can tell. */
  owner?: LockInfo['owner'];
  clock?: Clock;
  ids?: Ids;
  env?: NodeJS.ProcessEnv;
  secrets?: SecretStore;
  /** Providers to use instead of the ones built from settings. */
  providers?: Partial<Record<ProviderId, ModelProvider>>;
  logger?: Logger;
  /** Size and number of the log files when `logger` is not given (default 5 MB, 4 rotated files kept). */
  logRotation?: { maxBytes?: number; keep?: number };
  timeZone?: string;
  /** How long streamed text is gathered before it becomes an event (16–50 ms is smooth). */
  deltaWindowMs?: number;
  /** Native notifications, when the app that runs core can show them (the desktop app). */
  notifier?: NativeNotifier;
  /** DNS for the permission check of `net.http` names (tests inject a table; null: names are not looked up). */
  resolveHost?: HostResolver | null;
  /** Allowed folders until some are configured (default: the data folder's `workspace`). */
  allowedRoots?: string[];
  /** Whether this core fires schedules (default: yes, except a short-lived CLI process, which only manages them). */
  runSchedules?: boolean;
  /** Scheduler timings (grace, heartbeat, backoff); tests shorten them. */
  schedulerOptions?: Partial<SchedulerOptions>;
  /** MCP servers: whether they start with the app, and their timing. */
  mcp?: McpOptions;
  /** The bundled skills folder (default: the app's `skills/`; null: none). */
  bundledSkillsDir?: string | null;
  /** How many runs of each kind may run at once (default `DEFAULT_RUN_LIMITS`: chat 1, schedule 2, worker 4, memory 1). */
  runLimits?: Partial<RunLimits>;
}

/** Shows a native notification; the `notify` tool and permission requests call it. */
export interface NativeNotifier {
  notify(input: { title: string; body: string; runId?: string }): void | Promise<void>;
}

export interface Core {
  readonly paths: DataPaths;
  readonly db: WritableDB;
  readonly dbInfo: DatabaseInfo;
  readonly log: EventLog;
  readonly runs: RunManager;
  /** The one queue every kind of run goes through: `queue.enqueue({kind, title, executor, ...})`. */
  readonly queue: RunQueue;
  readonly settings: SettingsService;
  /** The permission gate every tool call passes, rules, approvals and the audit. */
  readonly permissions: Permissions;
  readonly memory: MemoryService;
  readonly memoryProposals: MemoryProposals;
  readonly schedules: ScheduleService;
  /** Worker roles, the worker registry and artifacts. */
  readonly workers: Pick<WorkersModule, 'settings' | 'queries' | 'artifacts'>;
  /** Looks at every schedule now (the machine woke from sleep). */
  wakeSchedules(): void;
  /** What every agent run shares; `agentExecutor(core.agent, input)` runs the loop for any purpose. */
  readonly agent: AgentRuntime;
  /** The live tool registry: what a run starting now is offered. */
  readonly tools: ToolRegistry;
  readonly gateway: Gateway;
  readonly lock: DataDirLock;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly startedAt: number;
  /** Null where no native notifications exist (headless host, CLI). */
  readonly notifier: NativeNotifier | null;
  /** Runs a dead process left unfinished and that this start marked `failed: interrupted`. */
  readonly recoveredRuns: readonly string[];
  /** Resolves when every run and background job in flight has ended (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
  /**
   * Closes at once, for when the OS ends the session and the process has no time to wait: runs in
   * flight are recorded as cancelled, the database is checkpointed and closed and the data folder
   * released, without waiting for work in flight to wind down.
   */
  closeNow(): void;
}

/** The one composition root: opens the data folder and lists the capability modules in dependency order. */
export function createCore(options: CoreOptions): Core {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? createIds(() => clock.now());
  const env = options.env ?? process.env;
  const folder = openDataFolder(options.dataDir, options.owner ?? 'cli', clock.now());
  const { paths, db } = folder;
  const modules = new ModuleHost(() => folder.release());
  try {
    const secrets = options.secrets ?? createFileSecretStore(paths.secrets);
    const redact = createRedactor(() => [...secrets.values(), ...[env.ANTHROPIC_API_KEY, env.OPENAI_API_KEY].filter((k): k is string => !!k)]);
    const logger = options.logger ?? createFileLogger(join(paths.logs, LOG_FILE), { redact, ...options.logRotation });
    const log = new EventLog(db, clock, logger);
    const gateway = new Gateway(log, logger);
    const startedAt = clock.now();
    const native = options.notifier ?? null;
    // Without a native notifier, a window that announced it shows notifications does, from the log.
    const windowNotifier = { notify: (n: { title: string; body: string; runId: string }) => void log.transaction(() => log.append('notification.requested', { title: n.title, body: n.body }, n.runId)) };

    // First, so it hears every run event, those of the recovery at start included.
    modules.add(createLogsModule({ log, logger }));
    const tools = modules.add(createToolsModule({ logger }));
    const { settings } = modules.add(createSettingsModule({ db, log, secrets, env, clock }));
    const providers = modules.add(createProvidersModule({ clock, redact, settings, overrides: options.providers }));
    const runs = modules.add(createRunsModule({ db, log, ids, logger, limits: options.runLimits }));
    const { timeline } = modules.add(createTimelineModule({ db, log, onRecover: runs.onRecover, threadOf: (runId) => runs.runs.threadOf(runId) }));
    const { permissions } = modules.add(createPermissionsModule({ db, log, clock, ids, logger, redact, dataDir: paths.dir, defaultRoots: options.allowedRoots, onRecover: runs.onRecover, resolver: options.resolveHost === undefined ? systemResolver : options.resolveHost, notify: (n) => native?.notify({ title: n.title, body: n.body, runId: n.runId }) }));
    const timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    const agent = modules.add(
      createAgentModule({ db, log, clock, redact, timeline, permissions, env, runs: runs.runs, providers: providers.providers, breaker: providers.breaker, tools: tools.registry, timeZone, deltaWindowMs: options.deltaWindowMs ?? 32, chatModel: () => settings.get().models.chat, notifier: () => native ?? (gateway.clientsThatCan('notifications') > 0 ? windowNotifier : null) }),
    );
    const memory = modules.add(createMemoryModule({ db, log, clock, ids, logger, providerSettings: () => settings.providerSettings(), cacheDir: paths.cache, complete: (system, prompt, signal) => agent.complete('memory', system, prompt, signal), setRecall: agent.setRecall }));
    const scheduler = modules.add(createSchedulerModule({ db, log, clock, ids, logger, timeZone, queue: runs.queue, agent: agent.runtime, fire: options.runSchedules ?? options.owner !== 'cli', options: options.schedulerOptions, notify: (n) => void agent.runtime.notifier()?.notify({ title: n.title, body: n.body, runId: n.runId ?? '' }) }));
    const workers = modules.add(createWorkersModule({ db, log, clock, ids, artifactsDir: paths.artifacts, runs: runs.runs, permissions, eventsOfRun: (runId) => agent.store.eventsOfRun(runId), onRecover: runs.onRecover }));
    const mcp = modules.add(createMcpModule({ db, log, clock, logger, secrets, tools: tools.registry, options: { autostart: options.owner !== 'cli', ...options.mcp } }));
    const skills = modules.add(createSkillsModule({ db, log, clock, logger, bundledDir: options.bundledSkillsDir === undefined ? findBundledSkills() : options.bundledSkillsDir, userDir: paths.skills, addSystemSection: agent.addSystemSection }));
    modules.add(createChatModule({ log, ids, queue: runs.queue, agent: agent.runtime, providers: providers.providers }));
    modules.add(createSystemModule({ db, dbInfo: folder.dbInfo, paths, secrets, settings, providers: providers.providers, log, clock, startedAt, redact, usedModels: () => Object.values(agent.settings.get().routes).flat(), moreChecks: [mcp.healthChecks, skills.healthChecks] }));
    modules.start({ log, gateway, tools: tools.registry, logger });

    return {
      ...{ paths, db, dbInfo: folder.dbInfo, log, settings, permissions, gateway, clock, logger, startedAt },
      ...{ runs: runs.runs, queue: runs.queue, memory: memory.memory, memoryProposals: memory.proposals, schedules: scheduler.service, workers: { settings: workers.settings, queries: workers.queries, artifacts: workers.artifacts }, wakeSchedules: () => scheduler.wake('resume'), agent: agent.runtime, tools: tools.registry, lock: folder.lock, notifier: native },
      recoveredRuns: runs.recovered(),
      idle: () => modules.idle(),
      // Closing: no schedule fires, every run (waiting or running) is cancelled, then the modules stop in reverse.
      close: async () => (scheduler.halt(), await runs.drain(), await modules.stop(tools.registry, logger)),
      closeNow: () => (scheduler.halt(), runs.closeNow(), modules.abort(tools.registry)),
    };
  } catch (err) {
    modules.abort();
    throw err;
  }
}
