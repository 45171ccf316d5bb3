import { join } from 'node:path';
import { createAgentModule } from './agent/index.js';
import { createAttachmentsModule } from './attachments/index.js';
import { createChatModule } from './chat/index.js';
import { openDataFolder } from './datadir/index.js';
import { EventLog } from './events/index.js';
import { Gateway } from './gateway/index.js';
import { LOG_FILE, createLogsModule } from './logs/index.js';
import { createMaintenanceModule } from './maintenance/index.js';
import { createMcpModule } from './mcp/index.js';
import { createMemoryModule } from './memory/index.js';
import { ModuleHost } from './modules/index.js';
import { createPermissionsModule, systemResolver } from './permissions/index.js';
import { createProvidersModule } from './providers/index.js';
import { createRunsModule } from './runs/index.js';
import { createFileSecretStore, createRedactor, keysFromEnv } from './secrets/index.js';
import { createSchedulerModule } from './scheduler/index.js';
import { createSettingsModule } from './settings/index.js';
import { createSkillsModule, findBundledSkills } from './skills/index.js';
import { createSystemModule } from './system/index.js';
import { createTimelineModule } from './timeline/index.js';
import { createToolsModule } from './tools/index.js';
import { createWorkersModule } from './workers/index.js';
import { createFileLogger, createIds, localTimeZone, systemClock } from './util/index.js';

export { AppError } from './contract/index.js';
export { APP_VERSION } from './system/index.js';

export type { Core, CoreOptions, NativeNotifier } from './core-types.js';
import type { Core, CoreOptions } from './core-types.js';

/** The one composition root: opens the data folder and lists the capability modules in dependency order. */
export function createCore(options: CoreOptions): Core {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? createIds(() => clock.now());
  const env = options.env ?? process.env;
  // Start-up phases are timed with the process's own timer (not the injected clock) for the log.
  const openedAt = performance.now();
  const folder = openDataFolder(options.dataDir, options.owner ?? 'cli', clock.now());
  const openMs = Math.round((performance.now() - openedAt) * 10) / 10;
  const { paths, db } = folder;
  const modules = new ModuleHost(() => folder.release());
  try {
    const secrets = options.secrets ?? createFileSecretStore(paths.secrets);
    // Every configured key, the provider keys of the environment and this launch's host token.
    const redact = createRedactor(() => [...secrets.values(), ...keysFromEnv(env), folder.lock.info.endpoint?.token]);
    const logger = options.logger ?? createFileLogger(join(paths.logs, LOG_FILE), { redact, ...options.logRotation });
    const log = new EventLog(db, clock, logger, redact);
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
    const { timeline, results } = modules.add(createTimelineModule({ db, log, onRecover: runs.onRecover, runs: runs.runs }));
    const { permissions } = modules.add(createPermissionsModule({ db, log, clock, ids, logger, redact, dataDir: paths.dir, defaultRoots: options.allowedRoots, onRecover: runs.onRecover, resolver: options.resolveHost === undefined ? systemResolver : options.resolveHost, notify: (n) => native?.notify({ title: n.title, body: n.body, runId: n.runId }) }));
    const attachments = modules.add(createAttachmentsModule({ db }));
    // Read when first needed (a run's prompt, a schedule's description), not at start: see localTimeZone.
    const timeZone = () => options.timeZone ?? localTimeZone();
    const agent = modules.add(
      createAgentModule({ db, log, clock, redact, timeline, attachments: attachments.store, permissions, env, runs: runs.runs, providers: providers.providers, breaker: providers.breaker, tools: tools.registry, get timeZone() { return timeZone(); }, deltaWindowMs: options.deltaWindowMs ?? 32, chatModel: () => settings.get().models.chat, notifier: () => native ?? (gateway.clientsThatCan('notifications') > 0 ? windowNotifier : null) }),
    );
    const memory = modules.add(createMemoryModule({ db, log, clock, ids, logger, providerSettings: () => settings.providerSettings(), cacheDir: paths.cache, complete: (run, system, prompt) => agent.complete(run, 'memory', system, prompt), runs: runs.runs, queue: runs.queue, timeline, setRecall: agent.setRecall, redact, prepareEmbedder: (options.owner ?? 'cli') !== 'cli' }));
    const scheduler = modules.add(createSchedulerModule({ db, log, clock, ids, logger, get timeZone() { return timeZone(); }, queue: runs.queue, agent: agent.runtime, fire: options.runSchedules ?? options.owner !== 'cli', options: options.schedulerOptions, notify: (n) => void agent.runtime.notifier()?.notify({ title: n.title, body: n.body, runId: n.runId ?? '' }), results }));
    const workers = modules.add(createWorkersModule({ db, log, clock, ids, artifactsDir: paths.artifacts, runs: runs.runs, queue: runs.queue, agent: agent.runtime, permissions, eventsOfRun: (runId) => agent.store.eventsOfRun(runId), onRecover: runs.onRecover, results }));
    const mcp = modules.add(createMcpModule({ db, log, clock, logger, secrets, redact, tools: tools.registry, options: { autostart: options.owner !== 'cli', ...options.mcp } }));
    const skills = modules.add(createSkillsModule({ db, log, clock, logger, bundledDir: options.bundledSkillsDir === undefined ? findBundledSkills() : options.bundledSkillsDir, userDir: paths.skills, addSystemSection: agent.addSystemSection, setSkillsInUse: agent.setSkillsInUse }));
    modules.add(createChatModule({ log, ids, clock, attachments: attachments.store, queue: runs.queue, agent: agent.runtime, providers: providers.providers, timeline }));
    modules.add(createMaintenanceModule({ db, log, clock, logger, paths, daily: (options.owner ?? 'cli') !== 'cli' }));
    modules.add(createSystemModule({ db, dbInfo: folder.dbInfo, paths, secrets, settings, providers: providers.providers, log, clock, startedAt, redact, usedModels: () => Object.values(agent.settings.get().routes).flat(), moreChecks: [mcp.healthChecks, skills.healthChecks, memory.healthChecks] }));
    const builtAt = performance.now();
    modules.start({ log, gateway, tools: tools.registry, logger });
    const startPhases = { openMs, buildMs: Math.round((builtAt - openedAt - openMs) * 10) / 10, modulesMs: modules.startMs };
    logger.log('info', 'the app started', { owner: options.owner ?? 'cli', ...startPhases, totalMs: Math.round((performance.now() - openedAt) * 10) / 10 });

    return {
      ...{ paths, db, dbInfo: folder.dbInfo, log, settings, permissions, gateway, clock, logger, startedAt },
      ...{ runs: runs.runs, queue: runs.queue, memory: memory.memory, memoryProposals: memory.proposals, schedules: scheduler.service, workers: { settings: workers.settings, queries: workers.queries, artifacts: workers.artifacts, pool: workers.pool }, wakeSchedules: () => scheduler.wake('resume'), agent: agent.runtime, tools: tools.registry, lock: folder.lock, notifier: native },
      recoveredRuns: runs.recovered(),
      startPhases,
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
