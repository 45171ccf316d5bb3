export { SettingsService, DEFAULT_CHAT_MODEL, DEFAULT_OLLAMA_HOST } from './service.js';
