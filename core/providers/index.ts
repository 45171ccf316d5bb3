export * from './types.js';
export { createAnthropicProvider, preloadAnthropicSdk, type AnthropicConfig } from './anthropic.js';
export { createOllamaProvider, type OllamaConfig } from './ollama.js';
export { ProviderRegistry, type ProviderSettings } from './registry.js';
export { CircuitBreaker, type BreakerOptions } from './breaker.js';
export { routeStream, sleep, DEFAULT_RETRY, type RetryPolicy, type RouterNotice, type RoutedEvent, type RouterDeps } from './router.js';
export { priceOf, costOf, emptyTotals, contextWindowOf } from './prices.js';
