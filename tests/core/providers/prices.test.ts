import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { contextWindowOf, costOf, priceOf } from '../../../core/providers/index.js';

describe('prices and context windows per provider:model', () => {
  const usage = { inputTokens: 1_000_000, outputTokens: 1_000_000, cacheReadTokens: 0, cacheWriteTokens: 0 };

  it('known OpenAI models have their own price; unknown OpenAI models cost like gpt-4.1; endpoint and Ollama models cost nothing', () => {
    assert.equal(costOf(usage, priceOf('openai:gpt-4o-mini-2024-07-18', {})), 0.75);
    assert.equal(costOf(usage, priceOf('openai:gpt-4o', {})), 12.5);
    assert.equal(costOf(usage, priceOf('openai:some-new-model', {})), 10);
    assert.equal(costOf(usage, priceOf('lmstudio:qwen2.5-7b-instruct', {})), 0);
    assert.equal(costOf(usage, priceOf('openrouter:anthropic/claude-3.5-sonnet', {})), 0);
    assert.equal(costOf(usage, priceOf('ollama:llama3.2', {})), 0);
  });

  it('a price set in settings wins over the table, for an endpoint model too', () => {
    const configured = { 'openrouter:anthropic/claude-3.5-sonnet': { input: 3, output: 15, cacheRead: 0, cacheWrite: 0 } };
    assert.equal(costOf(usage, priceOf('openrouter:anthropic/claude-3.5-sonnet', configured)), 18);
  });

  it('context windows: OpenAI families by name, 128k for other OpenAI models, 8192 for local and added endpoints unless set', () => {
    assert.equal(contextWindowOf('openai:gpt-4.1-mini', {}), 1_047_576);
    assert.equal(contextWindowOf('openai:o3-mini', {}), 200_000);
    assert.equal(contextWindowOf('openai:gpt-4o', {}), 128_000);
    assert.equal(contextWindowOf('lmstudio:qwen', {}), 8192);
    assert.equal(contextWindowOf('lmstudio:qwen', { 'lmstudio:qwen': 32_768 }), 32_768);
  });
});
