/** Workers: sub-agent runs with a parent, a role and a result envelope; their registry, roles and artifacts. */
export { createWorkersModule, type WorkersModule, type WorkersModuleDeps } from './module.js';
export { WorkerSettingsService, DEFAULT_ROLES, DEFAULT_POOL } from './roles.js';
export { WorkerQueries, createWorkersProjector } from './store.js';
export { ArtifactStore, createArtifactsProjector, safeFileName, type WrittenArtifact } from './artifacts.js';
export { parseEnvelope, ENVELOPE_INSTRUCTIONS, type EnvelopeParse } from './envelope.js';
export { transcriptOf } from './transcript.js';
export { WorkerPool, type WorkerQueue, type WorkerPoolDeps } from './pool.js';
export { workerExecutor, workerRunInput } from './executor.js';
export { workerTools, resultFor } from './tools.js';
