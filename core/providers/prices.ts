import type { Price, UsageTotals } from '../contract/index.js';
import type { Usage } from './types.js';

const FREE: Price = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };

/**
 * Built-in prices (USD per million tokens) by model reference, for models settings do not price.
 * OpenAI models not listed cost what gpt-4.1 costs; models of an endpoint the user added (a local
 * server, or a gateway such as OpenRouter whose prices vary by model) cost nothing unless Settings
 * prices them.
 */
const BUILTIN: { match: RegExp; price: Price }[] = [
  { match: /^ollama:/, price: FREE },
  { match: /^openai:gpt-4\.1-nano/, price: { input: 0.1, output: 0.4, cacheRead: 0.025, cacheWrite: 0 } },
  { match: /^openai:gpt-4\.1-mini/, price: { input: 0.4, output: 1.6, cacheRead: 0.1, cacheWrite: 0 } },
  { match: /^openai:gpt-4o-mini/, price: { input: 0.15, output: 0.6, cacheRead: 0.075, cacheWrite: 0 } },
  { match: /^openai:gpt-4o/, price: { input: 2.5, output: 10, cacheRead: 1.25, cacheWrite: 0 } },
  { match: /^openai:o4-mini/, price: { input: 1.1, output: 4.4, cacheRead: 0.275, cacheWrite: 0 } },
  { match: /^openai:o3/, price: { input: 2, output: 8, cacheRead: 0.5, cacheWrite: 0 } },
  { match: /^openai:/, price: { input: 2, output: 8, cacheRead: 0.5, cacheWrite: 0 } },
  { match: /^anthropic:claude-(opus)/, price: { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 } },
  { match: /^anthropic:claude-(sonnet)/, price: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } },
  { match: /^anthropic:claude-(haiku)/, price: { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1 } },
  { match: /^anthropic:/, price: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } },
];

/** The price of a model: from settings when set there, else the built-in table. */
export function priceOf(model: string, configured: Record<string, Price>): Price {
  return configured[model] ?? BUILTIN.find((b) => b.match.test(model))?.price ?? FREE;
}

/** What a response cost in USD. */
export function costOf(usage: Usage, price: Price): number {
  return (
    (usage.inputTokens * price.input + usage.outputTokens * price.output + usage.cacheReadTokens * price.cacheRead + usage.cacheWriteTokens * price.cacheWrite) /
    1_000_000
  );
}

export function emptyTotals(): UsageTotals {
  return { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 0 };
}

/**
 * Built-in context windows (tokens) by model reference. Unknown OpenAI models get 128 000; models of
 * Ollama and of added endpoints 8 192, a size most local servers load by default: set the real one in
 * Settings when a server loads more.
 */
export function contextWindowOf(model: string, configured: Record<string, number>): number {
  if (configured[model]) return configured[model];
  if (model.startsWith('anthropic:')) return 200_000;
  if (/^openai:gpt-4\.1/.test(model)) return 1_047_576;
  if (/^openai:o\d/.test(model)) return 200_000;
  if (model.startsWith('openai:')) return 128_000;
  return 8192;
}
