export { RunManager, IllegalRunTransitionError, type RunContext, type RunExecutor, type RunOutcome } from './manager.js';
export { RunQueries, createRunsProjector } from './store.js';
