import { AppError, type CommandName, type CommandResult, type ParsedArgs } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import type { CapabilityModule } from '../modules/index.js';
import type { Permissions } from '../permissions/index.js';
import type { AgentRuntime } from '../agent/index.js';
import type { RunManager } from '../runs/index.js';
import { isChatThread, type ResultBoard } from '../timeline/index.js';
import type { AppEvent } from '../contract/index.js';
import type { Clock, Ids } from '../util/index.js';
import { ArtifactStore, createArtifactsProjector } from './artifacts.js';
import { workerExecutor } from './executor.js';
import { WorkerPool, type WorkerQueue } from './pool.js';
import { WorkerSettingsService } from './roles.js';
import { WorkerQueries, createWorkersProjector } from './store.js';
import { workerTools } from './tools.js';
import { transcriptOf } from './transcript.js';

type WorkerCommand = Extract<CommandName, `workers.${string}`>;
export type WorkerHandlers = { [N in WorkerCommand]: (args: ParsedArgs<N>) => CommandResult<N> | Promise<CommandResult<N>> };

export interface WorkersModuleDeps {
  db: WritableDB;
  log: EventLog;
  clock: Clock;
  ids: Ids;
  /** The data folder's `artifacts/`. */
  artifactsDir: string;
  runs: Pick<RunManager, 'get' | 'cancel'>;
  /** The run queue workers wait in (kind `worker`). */
  queue: WorkerQueue;
  /** The agent loop a worker runs, inside its role. */
  agent: AgentRuntime;
  permissions: Pick<Permissions, 'queries'>;
  /** A run's own events, oldest first (the worker's transcript). */
  eventsOfRun: (runId: string) => AppEvent[];
  /** Registers a step that runs for each run a dead process left unfinished, in the recovery transaction. */
  onRecover: (step: (runId: string) => void) => void;
  /** Where a worker the chat started posts its result into the chat when it ends. */
  results?: ResultBoard;
}

export interface WorkersModule extends CapabilityModule {
  readonly settings: WorkerSettingsService;
  readonly queries: WorkerQueries;
  readonly artifacts: ArtifactStore;
  readonly pool: WorkerPool;
}

/** Workers: roles, the registry of sub-agent runs, their results and artifacts, and their commands. */
export function createWorkersModule(deps: WorkersModuleDeps): WorkersModule {
  const queries = new WorkerQueries(deps.db);
  // A worker's files show in the thread of the run that started it, where its result is reported.
  const artifacts = new ArtifactStore(deps.db, deps.log, deps.ids, deps.artifactsDir, (runId) => {
    const run = runOrNull(deps.runs, runId);
    if (!run) return null;
    const worker = queries.get(runId);
    const parent = run.parentRunId ? runOrNull(deps.runs, run.parentRunId) : null;
    return { source: worker?.role ?? 'worker', threadId: parent?.threadId ?? run.threadId, runThreadId: run.threadId };
  });
  let pool: WorkerPool | null = null;
  const settings = new WorkerSettingsService(deps.db, deps.log, (limits) => pool?.applyLimit(limits));
  pool = new WorkerPool({ log: deps.log, queue: deps.queue, runs: deps.runs, queries, settings, executorFor: (role, task) => workerExecutor({ agent: deps.agent, artifacts }, role, task) });
  const workers = pool;
  const requireWorker = (id: string) => {
    const worker = queries.get(id);
    if (!worker) throw new AppError('not_found', `no worker ${id}`);
    return worker;
  };
  // A worker the chat started posts its result into the chat (the chat turn gets the envelope anyway);
  // a worker's worker reports to its parent only.
  const postsResultToChat = (run: { parentRunId: string | null }) => {
    const parent = run.parentRunId ? runOrNull(deps.runs, run.parentRunId) : null;
    return !!parent && isChatThread(parent.threadId) && !!deps.results;
  };
  // The parent hears of a worker the last shutdown interrupted, in its own thread; in the chat the
  // worker's interrupted result says it, once.
  deps.onRecover((runId) => {
    const worker = queries.get(runId);
    if (!worker?.parentRunId || postsResultToChat(worker)) return;
    deps.log.append('timeline.error', { code: 'worker_interrupted', message: `The ${worker.role} worker ${worker.id} was interrupted: the app stopped while it was ${worker.status === 'queued' ? 'waiting to start' : 'working'} on "${worker.task.slice(0, 120)}".` }, worker.parentRunId);
  });
  deps.results?.describe('worker', (run) => {
    if (!postsResultToChat(run)) return null;
    const worker = queries.get(run.id);
    const envelope = queries.envelope(run.id);
    const artifactNames = envelope?.artifacts.map((a) => a.name) ?? [];
    return {
      name: worker?.role ?? 'worker',
      title: worker?.task ?? run.title,
      summary: envelope ? `${envelope.summary}${artifactNames.length ? `\n\nFiles: ${artifactNames.join(', ')}` : ''}` : undefined,
    };
  });
  const handlers: WorkerHandlers = {
    'workers.list': ({ status, limit }) => ({ workers: queries.list(status, limit), head: deps.log.head() }),
    'workers.get': ({ workerId }) => ({ ...requireWorker(workerId), envelope: queries.envelope(workerId), transcript: transcriptOf(deps.eventsOfRun(workerId)) }),
    'workers.cancel': ({ workerId }) => workers.cancel(workerId, 'cancelled_by_user'),
    'workers.roles': () => ({
      roles: settings.roles().map((role) => ({ ...role, rules: deps.permissions.queries.rules().filter((r) => r.scope === `worker:${role.name}`) })),
      pool: settings.pool(),
    }),
    'workers.saveRole': ({ role }) => ({ role: settings.saveRole(role) }),
    'workers.removeRole': ({ name }) => settings.removeRole(name),
    'workers.setPool': (patch) => settings.setPool(patch),
    'workers.artifact': ({ artifactId }) => artifacts.read(artifactId),
  };
  return {
    name: 'workers',
    settings,
    queries,
    artifacts,
    pool: workers,
    handlers,
    projectors: [createWorkersProjector(deps.db), createArtifactsProjector(deps.db)],
    tools: workerTools({ pool: workers, queries, settings, now: () => deps.clock.now() }),
    start: () => workers.start(),
    stop: () => workers.stop(),
  };
}

function runOrNull(runs: Pick<RunManager, 'get'>, runId: string) {
  try {
    return runs.get(runId);
  } catch {
    return null;
  }
}
