export { createFileSecretStore, createMemorySecretStore, type SecretStore } from './store.js';
export { createRedactor } from './redact.js';
export { createStreamRedactor } from './stream.js';
