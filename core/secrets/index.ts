export { createFileSecretStore, createMemorySecretStore, type SecretStore } from './store.js';
export { createRedactor, redactDeep, keysFromEnv, MIN_SECRET_LENGTH, type Redactor } from './redact.js';
export { createStreamRedactor } from './stream.js';
export { maskingPastedKeys, PASTED_KEY_NOTICE } from './pasted.js';
