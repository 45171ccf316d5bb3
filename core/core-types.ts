import type { AgentRuntime } from './agent/index.js';
import type { DataDirLock, DataPaths, LockInfo } from './datadir/index.js';
import type { DatabaseInfo, WritableDB } from './db/index.js';
import type { EventLog } from './events/index.js';
import type { Gateway } from './gateway/index.js';
import type { McpOptions } from './mcp/index.js';
import type { MemoryProposals, MemoryService } from './memory/index.js';
import type { HostResolver, Permissions } from './permissions/index.js';
import type { ModelProvider, ProviderId } from './providers/index.js';
import type { RunLimits, RunManager, RunQueue } from './runs/index.js';
import type { SecretStore } from './secrets/index.js';
import type { ScheduleService, SchedulerOptions } from './scheduler/index.js';
import type { SettingsService } from './settings/index.js';
import type { ToolRegistry } from './tools/index.js';
import type { WorkersModule } from './workers/index.js';
import type { Clock, Ids, Logger } from './util/index.js';

/* What createCore (core/app.ts) takes and returns. */

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
  readonly workers: Pick<WorkersModule, 'settings' | 'queries' | 'artifacts' | 'pool'>;
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
  /** How long this start took, ms: opening the data folder (migrations, checks), building the modules, each module's start. */
  readonly startPhases: { openMs: number; buildMs: number; modulesMs: Readonly<Record<string, number>> };
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
