import type { Price, UsageTotals } from '../contract/index.js';
import type { Usage } from './types.js';

/** Built-in prices (USD per million tokens) by model-name prefix, for models settings do not price. */
const BUILTIN: { match: RegExp; price: Price }[] = [
  { match: /^ollama:/, price: { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 } },
  { match: /^anthropic:claude-(opus)/, price: { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 } },
  { match: /^anthropic:claude-(sonnet)/, price: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } },
  { match: /^anthropic:claude-(haiku)/, price: { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1 } },
  { match: /^anthropic:/, price: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } },
];

/** The price of a model: from settings when set there, else the built-in table. */
export function priceOf(model: string, configured: Record<string, Price>): Price {
  return configured[model] ?? BUILTIN.find((b) => b.match.test(model))?.price ?? { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
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

/** Built-in context windows (tokens) by model-name prefix. */
export function contextWindowOf(model: string, configured: Record<string, number>): number {
  if (configured[model]) return configured[model];
  if (model.startsWith('anthropic:')) return 200_000;
  return 8192;
}
