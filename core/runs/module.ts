import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import type { CapabilityModule } from '../modules/index.js';
import type { Ids, Logger } from '../util/index.js';
import { RunManager } from './manager.js';
import { RunQueue, type RunLimits } from './queue.js';
import { RunQueries, createRunsProjector } from './store.js';

export interface RunsModule extends CapabilityModule {
  readonly runs: RunManager;
  /** The one queue every kind of run goes through. */
  readonly queue: RunQueue;
  /**
   * Registers a step that closes what a run left open (a streaming message, a pending request) when
   * a dead process left it unfinished. Steps run at start, in the transaction that ends the run.
   */
  onRecover(step: (runId: string) => void): void;
  /** Runs a dead process left unfinished and that this start marked `failed: interrupted`. */
  recovered(): readonly string[];
  /** Cancels every run in flight or waiting (`app_closed`) and waits until they have ended: the first step of closing. */
  drain(): Promise<void>;
  /** Cancels every run in flight or waiting (`app_closed`) without waiting: closing at once. */
  closeNow(): void;
}

/** Runs: the state machine, the run queue, their projection, cancel, and recovery after a crash. */
export function createRunsModule(deps: { db: WritableDB; log: EventLog; ids: Ids; logger: Logger; limits?: Partial<RunLimits> }): RunsModule {
  const runs = new RunManager(deps.log, new RunQueries(deps.db), deps.ids, deps.logger);
  const queue = new RunQueue(runs, deps.log, deps.logger, deps.limits);
  const recoverySteps: ((runId: string) => void)[] = [];
  let recovered: string[] = [];
  const closeNow = () => {
    queue.close('app_closed');
    runs.close('app_closed');
  };
  const drain = async () => {
    closeNow();
    await queue.idle();
  };
  return {
    name: 'runs',
    runs,
    queue,
    projectors: [createRunsProjector(deps.db)],
    handlers: {
      'runs.list': ({ limit, status }) => ({ runs: runs.list(limit, status) }),
      'runs.get': ({ runId }) => runs.get(runId),
      'runs.cancel': ({ runId }) => runs.cancel(runId),
    },
    onRecover: (step) => recoverySteps.push(step),
    recovered: () => recovered,
    start() {
      recovered = runs.recoverInterrupted((runId) => {
        for (const step of recoverySteps) step(runId);
      });
      if (recovered.length) deps.logger.log('warn', 'runs interrupted by the last shutdown marked failed', { runs: recovered });
    },
    idle: () => queue.idle(),
    drain,
    closeNow,
    stop: drain,
  };
}
