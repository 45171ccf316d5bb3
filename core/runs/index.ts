/** Runs: one piece of agent work each, the one queue all kinds go through, cancel, and recovery after a crash. */
export { RunManager, IllegalRunTransitionError, type RunContext, type RunExecutor, type RunOutcome } from './manager.js';
export { RunQueue, DEFAULT_RUN_LIMITS, type EnqueueInput, type RunLimits } from './queue.js';
export { RunQueries, createRunsProjector, defaultThreadOf } from './store.js';
export { createRunsModule, type RunsModule } from './module.js';
