export * from './types.js';
export { createAnthropicProvider, type AnthropicConfig } from './anthropic.js';
export { createOllamaProvider, type OllamaConfig } from './ollama.js';
export { ProviderRegistry, type ProviderSettings } from './registry.js';
