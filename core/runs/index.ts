/** Runs: one piece of agent work each, its state machine, cancel, and recovery after a crash. */
export { RunManager, IllegalRunTransitionError, type RunContext, type RunExecutor, type RunOutcome } from './manager.js';
export { RunQueries, createRunsProjector } from './store.js';
export { createRunsModule, type RunsModule } from './module.js';
