/** Settings: plain values as events and rows, keys in the secret store. */
export { SettingsService, DEFAULT_CHAT_MODEL, DEFAULT_OLLAMA_HOST } from './service.js';
export { createSettingsModule, type SettingsModule } from './module.js';
export { SettingsRow } from './row.js';
export { createSettingsProjector, refuseKeysIn, SETTINGS_ROW_EVENTS } from './projector.js';
