import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentSettingsService, AgentStore, agentExecutor, chainFor, createAgentHandlers, createUsageProjector, type AgentRuntime } from './agent/index.js';
import { AppError, type HealthCheck } from './contract/index.js';
import { acquireLock, backupDatabase, dataPaths, type DataDirLock, type DataPaths, type LockInfo } from './datadir/index.js';
import { openDatabase, type DatabaseInfo, type WritableDB } from './db/index.js';
import { EventLog } from './events/index.js';
import {
  Consolidator,
  MemoryExtraction,
  MemoryProposals,
  MemoryService,
  addLexiconCacheDir,
  collectText,
  createMemoryEmbedder,
  createMemoryHandlers,
  createMemoryProjector,
  createMemoryTools,
  createProposalProjector,
} from './memory/index.js';
import { Gateway, type Handlers } from './gateway/dispatch.js';
import { createPermissionHandlers, createPermissions, systemResolver, type HostResolver, type Permissions } from './permissions/index.js';
import { CircuitBreaker, ProviderRegistry, createProviderHandlers, endpointConfig, providerHealthChecks, requireKnownModel, routeStream, type ModelProvider, type ProviderId } from './providers/index.js';
import { BUILTIN_TOOLS, scrubbedEnv, type AnyTool } from './tools/index.js';
import { RunManager, RunQueries, createRunsProjector } from './runs/index.js';
import { createFileSecretStore, createRedactor, type SecretStore } from './secrets/index.js';
import { SettingsService } from './settings/index.js';
import { TimelineQueries, createTimelineProjector } from './timeline/index.js';
import { systemClock, type Clock } from './util/clock.js';
import { createIds, type Ids } from './util/ids.js';
import { createFileLogger, type Logger } from './util/logger.js';

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
  timeZone?: string;
  /** How long streamed text is gathered before it becomes an event (16–50 ms is smooth). */
  deltaWindowMs?: number;
  /** Native notifications, when the app that runs core can show them (the desktop app). */
  notifier?: NativeNotifier;
  /** DNS for the permission check of `net.http` names (tests inject a table; null: names are not looked up). */
  resolveHost?: HostResolver | null;
  /** Allowed folders until some are configured (default: the data folder's `workspace`). */
  allowedRoots?: string[];
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
  readonly settings: SettingsService;
  /** The permission gate every tool call passes, rules, approvals and the audit. */
  readonly permissions: Permissions;
  readonly memory: MemoryService;
  readonly memoryProposals: MemoryProposals;
  /** What every agent run shares; `agentExecutor(core.agent, input)` runs the loop for any purpose. */
  readonly agent: AgentRuntime;
  readonly gateway: Gateway;
  readonly lock: DataDirLock;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly startedAt: number;
  /** Null where no native notifications exist (headless host, CLI). */
  readonly notifier: NativeNotifier | null;
  /** Runs a dead process left unfinished and that this start marked `failed: interrupted`. */
  readonly recoveredRuns: string[];
  /** Resolves when every run in flight has ended (tests, shutdown). */
  idle(): Promise<void>;
  close(): Promise<void>;
  /**
   * Closes at once, for when the OS ends the session and the process has no time to wait: runs in
   * flight are recorded as cancelled, the database is checkpointed and closed and the data folder
   * released, without waiting for work in flight to wind down.
   */
  closeNow(): void;
}

export const APP_VERSION: string = readVersion();

/** The one composition root: opens the data folder and wires every capability. */
export function createCore(options: CoreOptions): Core {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? createIds(() => clock.now());
  const env = options.env ?? process.env;
  const paths = dataPaths(options.dataDir);
  const lock = acquireLock(paths.lock, options.owner ?? 'cli', clock.now());
  let opened: ReturnType<typeof openDatabase>;
  try {
    opened = openDatabase({ file: paths.database });
  } catch (err) {
    lock.release();
    throw err;
  }
  const { db, info: dbInfo } = opened;
  const secrets = options.secrets ?? createFileSecretStore(paths.secrets);
  const redact = createRedactor(() => [...secrets.values(), ...[env.ANTHROPIC_API_KEY, env.OPENAI_API_KEY].filter((k): k is string => !!k)]);
  const logger = options.logger ?? createFileLogger(join(paths.logs, 'agent-blob.log'), redact);

  const log = new EventLog(db, clock, logger);
  log.addProjector(createRunsProjector(db));
  log.addProjector(createTimelineProjector(db));
  log.addProjector(createMemoryProjector(db));
  log.addProjector(createProposalProjector(db));
  log.addProjector(createUsageProjector(db));
  const runQueries = new RunQueries(db);
  const timeline = new TimelineQueries(db);
  const runs = new RunManager(log, runQueries, ids, logger);
  const settings = new SettingsService(db, log, secrets, env, clock);
  const permissions = createPermissions({
    db,
    log,
    clock,
    ids,
    logger,
    dataDir: paths.dir,
    notify: (notice) => options.notifier?.notify({ title: notice.title, body: notice.body, runId: notice.runId }),
    resolver: options.resolveHost === undefined ? systemResolver : options.resolveHost,
    redact,
    defaultRoots: options.allowedRoots,
  });
  const memory = new MemoryService({ db, log, clock, ids, logger, makeEmbedder: (config) =>
      createMemoryEmbedder(config, settings.providerSettings().ollama.host, (name) => {
        const endpoint = settings.providerSettings().endpoints[name];
        return endpoint ? endpointConfig(name, endpoint) : null;
      }),
  });
  const memoryProposals = new MemoryProposals(db, log, ids, memory);
  addLexiconCacheDir(paths.cache);
  memory.start();
  const providers = new ProviderRegistry(() => settings.providerSettings(), options.providers);
  settings.onChange(() => providers.invalidate());

  const streamingOfRun = db.prepare("SELECT id, text FROM timeline WHERE run_id = ? AND kind = 'message' AND status = 'streaming'");
  const recoveredRuns = runs.recoverInterrupted((runId) => {
    for (const message of streamingOfRun.all(runId) as { id: string; text: string }[]) {
      log.append('message.completed', { messageId: message.id, text: message.text, status: 'interrupted', model: null }, runId);
    }
    permissions.expireLeftovers(runId);
  });
  permissions.expireLeftovers();
  if (recoveredRuns.length) logger.log('warn', 'runs interrupted by the last shutdown marked failed', { runs: recoveredRuns });

  const timeZone = options.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const agentStore = new AgentStore(db);
  const agentSettings = new AgentSettingsService(db, log, clock);
  const breaker = new CircuitBreaker(clock);
  const memoryTools = createMemoryTools(memory);
  const tools = (): readonly AnyTool[] => [...BUILTIN_TOOLS, ...memoryTools];
  const windowNotifier = {
    notify: (notice: { title: string; body: string; runId: string }) => {
      log.transaction(() => log.append('notification.requested', { title: notice.title, body: notice.body }, notice.runId));
    },
  };
  const agentRuntime: AgentRuntime = {
    log,
    timeline,
    store: agentStore,
    providers,
    breaker,
    clock,
    redact,
    tools,
    gate: permissions.gate,
    // Without a native notifier, a window that announced it shows notifications does, from the log.
    notifier: () => options.notifier ?? (gateway.clientsThatCan('notifications') > 0 ? windowNotifier : null),
    commandEnv: scrubbedEnv(env),
    timeZone,
    deltaWindowMs: options.deltaWindowMs ?? 32,
    settings: () => agentSettings.get(),
    chatModel: () => settings.get().models.chat,
    roots: () => permissions.roots(),
    recallForPrompt: (query, budget) => memory.recallForPrompt(query, budget),
    systemSections: () => [
      {
        title: 'Permissions',
        body: `Mode: ${permissions.config().mode}. File and shell tools work inside: ${permissions.roots().join(', ') || '(no folder)'}. Some calls ask the user first; a denied call comes back as an error: do not retry it unchanged.`,
      },
    ],
    maxTokens: 4096,
    historyLimit: 400,
  };

  // After a chat run, the memory model proposes what to remember (when the user turned it on).
  const memoryExtraction = new MemoryExtraction({
    db,
    proposals: memoryProposals,
    logger,
    enabled: () => memory.extractAfterRuns(),
    complete: (system, prompt, signal) =>
      collectText(routeStream({ providers, clock, breaker }, chainFor(agentRuntime, 'memory'), { system, messages: [{ role: 'user', content: prompt }], maxTokens: 1024, signal })),
  });
  log.subscribe(log.head(), (event) => memoryExtraction.observe(event));
  const consolidator = new Consolidator({ memory, clock, logger });
  consolidator.start();

  // Chat turns answer one after another, so each sees the replies before it.
  let chatQueue: Promise<unknown> = Promise.resolve();
  const inFlight = new Set<Promise<unknown>>();
  const track = <T>(p: Promise<T>): Promise<T> => {
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    return p;
  };

  const startedAt = clock.now();
  const handlers: Handlers = {
    'chat.send': ({ text, model }) => {
      if (model) requireKnownModel(providers, model);
      const messageId = ids.next('msg');
      const { runId, seq } = log.transaction(() => {
        const runId = runs.create({ kind: 'chat', title: text.replace(/\s+/g, ' ').trim() });
        const event = log.append('message.created', { messageId, role: 'user', text, status: 'done' }, runId);
        return { runId, seq: event.seq };
      });
      chatQueue = track(
        chatQueue.then(async () => {
          if (runs.get(runId).status !== 'queued') return;
          await runs.start(runId, agentExecutor(agentRuntime, { purpose: 'chat', userMessageSeq: seq, model }));
        }),
      );
      return { runId, messageId };
    },
    'runs.list': ({ limit, status }) => ({ runs: runs.list(limit, status) }),
    'runs.get': ({ runId }) => runs.get(runId),
    'runs.cancel': ({ runId }) => runs.cancel(runId),
    'timeline.search': ({ query, beforeSeq, limit }) => timeline.search(query, beforeSeq ?? Number.MAX_SAFE_INTEGER, limit),
    'timeline.list': ({ beforeSeq, limit }) => {
      const head = log.head();
      const page = timeline.list(beforeSeq ?? head + 1, limit);
      return { ...page, head };
    },
    'events.since': ({ fromSeq, limit }) => ({ events: log.since(fromSeq, limit), head: log.head() }),
    'settings.get': () => settings.get(),
    'settings.update': (patch) => settings.update(patch),
    'system.doctor': async ({ probeProviders }) => {
      const checks = await runDoctor({ db, dbInfo, paths, secrets, settings, providers, probeProviders, usedModels: Object.values(agentSettings.get().routes).flat(), redact });
      return { ok: checks.every((c) => c.status !== 'fail'), checks };
    },
    'system.ping': () => ({ now: clock.now() }),
    'system.info': () => ({ version: APP_VERSION, dataDir: paths.dir, pid: process.pid, startedAt, head: log.head() }),
    'system.backup': ({ path }) => backupDatabase(db, paths, path),
    ...createPermissionHandlers(permissions),
    ...createMemoryHandlers(memory, memoryProposals, consolidator),
    ...createProviderHandlers({ settings, providers, redact }),
    ...createAgentHandlers({ store: agentStore, settings: agentSettings, breaker, timeline, providers, runs, tools, redact, clock, timeZone }),
  };
  const gateway = new Gateway(handlers, log, logger);

  let closed = false;
  const checkpoint = () => {
    try {
      db.pragma('wal_checkpoint(TRUNCATE)');
    } catch {
      // a checkpoint is an optimisation; the WAL is replayed at next open anyway
    }
  };
  return {
    paths,
    db,
    dbInfo,
    log,
    runs,
    settings,
    permissions,
    memory,
    memoryProposals,
    agent: agentRuntime,
    gateway,
    lock,
    clock,
    logger,
    startedAt,
    notifier: options.notifier ?? null,
    recoveredRuns,
    async idle() {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
    async close() {
      if (closed) return;
      closed = true;
      runs.cancelAll('app_closed');
      await Promise.allSettled([...inFlight]);
      checkpoint();
      await consolidator.stop();
      await memoryExtraction.close();
      await memory.close();
      db.close();
      lock.release();
    },
    closeNow() {
      if (closed) return;
      closed = true;
      try {
        runs.cancelAll('app_closed');
        checkpoint();
      } finally {
        if (db.open) db.close();
        lock.release();
      }
    },
  };
}

interface DoctorDeps {
  db: WritableDB;
  dbInfo: DatabaseInfo;
  paths: DataPaths;
  secrets: SecretStore;
  settings: SettingsService;
  providers: ProviderRegistry;
  probeProviders: boolean;
  usedModels: string[];
  redact: (text: string) => string;
}

async function runDoctor(deps: DoctorDeps): Promise<HealthCheck[]> {
  const checks: HealthCheck[] = [];
  const integrity = String(deps.db.pragma('quick_check', { simple: true }));
  checks.push({ name: 'database', status: integrity === 'ok' ? 'ok' : 'fail', detail: `${deps.paths.database}: ${integrity}, schema ${deps.dbInfo.schemaVersion}, journal ${deps.dbInfo.journalMode}, SQLite ${deps.dbInfo.sqliteVersion}` });
  checks.push({ name: 'sqlite-vec', status: 'ok', detail: `loaded, ${deps.dbInfo.vecVersion}` });
  checks.push({ name: 'fts5', status: deps.dbInfo.fts5 ? 'ok' : 'fail', detail: deps.dbInfo.fts5 ? 'available' : 'missing: memory search cannot work' });
  checks.push({ name: 'secrets', status: deps.secrets.warning ? 'warn' : 'ok', detail: deps.secrets.description });
  const settings = deps.settings.get();
  checks.push(...(await providerHealthChecks({ settings, usedModels: [settings.models.chat, ...deps.usedModels], providers: deps.providers, probe: deps.probeProviders, redact: deps.redact })));
  return checks;
}

/** The package version, found from source (`core/`) or from the compiled tree (`dist/core/`). */
function readVersion(): string {
  for (const relative of ['../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'agent-blob') return pkg.version;
    } catch {
      // try the next place
    }
  }
  return '0.0.0';
}

export { AppError };
