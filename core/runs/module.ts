import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import type { CapabilityModule } from '../modules/index.js';
import type { Ids, Logger } from '../util/index.js';
import { RunManager } from './manager.js';
import { RunQueries, createRunsProjector } from './store.js';

export interface RunsModule extends CapabilityModule {
  readonly runs: RunManager;
  /**
   * Registers a step that closes what a run left open (a streaming message, a pending request) when
   * a dead process left it unfinished. Steps run at start, in the transaction that ends the run.
   */
  onRecover(step: (runId: string) => void): void;
  /** Runs a dead process left unfinished and that this start marked `failed: interrupted`. */
  recovered(): readonly string[];
  /** Cancels every run in flight (`app_closed`) and waits until they have ended: the first step of closing. */
  drain(): Promise<void>;
}

/** Runs: the state machine, their projection, cancel, and recovery after a crash. */
export function createRunsModule(deps: { db: WritableDB; log: EventLog; ids: Ids; logger: Logger }): RunsModule {
  const runs = new RunManager(deps.log, new RunQueries(deps.db), deps.ids, deps.logger);
  const recoverySteps: ((runId: string) => void)[] = [];
  let recovered: string[] = [];
  const drain = async () => {
    runs.close('app_closed');
    await runs.idle();
  };
  return {
    name: 'runs',
    runs,
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
    idle: () => runs.idle(),
    drain,
    stop: drain,
  };
}
