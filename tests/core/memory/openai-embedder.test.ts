import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppError } from '../../../core/contract/index.js';
import { createOpenAIEmbedder } from '../../../core/memory/index.js';
import { hashEmbedding, startTestCore, useLoopbackProviders } from '../../support/index.js';

describe('memory embeddings from an OpenAI-compatible /v1/embeddings', () => {
  const servers = useLoopbackProviders();

  it('embeds in batches through the SDK, asks for floats, sends the key and normalises', async () => {
    const before = servers.openai.requests.length;
    servers.openai.embed = (texts) => texts.map((t) => hashEmbedding(t, 12).map((x) => x * 3));
    const e = createOpenAIEmbedder({ provider: 'vllm', model: 'loopback-embed', batchSize: 2, endpoint: () => ({ name: 'vllm', baseUrl: servers.openai.baseUrl, apiKey: 'sk-vllm-key-0000000000000000', keyRequired: false }) });
    const vectors = await e.embed(['one fish', 'two fish', 'red fish'], 'document');
    const calls = servers.openai.requests.slice(before).filter((r) => r.path === '/v1/embeddings');
    assert.equal(calls.length, 2, 'three texts in batches of two');
    assert.deepEqual(calls.map((c) => (c.body as { input: string[] }).input), [['one fish', 'two fish'], ['red fish']]);
    assert.ok(calls.every((c) => (c.body as { encoding_format: string; model: string }).encoding_format === 'float' && (c.body as { model: string }).model === 'loopback-embed'));
    assert.equal(calls[0].headers.authorization, 'Bearer sk-vllm-key-0000000000000000');
    assert.equal(vectors.length, 3);
    assert.ok(vectors.every((v) => v.length === 12 && Math.abs(Math.hypot(...v) - 1) < 1e-5), 'unit vectors');
    assert.equal(e.name, 'vllm:loopback-embed');
    assert.equal(await e.dims(), 12);
  });

  it('an endpoint that is gone or unreachable is a readable unavailable error', async () => {
    const gone = createOpenAIEmbedder({ provider: 'lmstudio', model: 'm', endpoint: () => null });
    await assert.rejects(gone.embed(['x'], 'document'), (err: AppError) => err.code === 'unavailable' && /no provider named "lmstudio"/.test(err.message));
    const down = createOpenAIEmbedder({ provider: 'lmstudio', model: 'm', endpoint: () => ({ name: 'lmstudio', baseUrl: 'http://127.0.0.1:9/v1', apiKey: null, keyRequired: false }) });
    await assert.rejects(down.embed(['x'], 'document'), (err: AppError) => err.code === 'unavailable' && /lmstudio could not embed with m: cannot reach lmstudio/.test(err.message));
  });

  it('choosing an endpoint’s embedding model re-embeds every memory in the background; search then answers from the new vectors', async () => {
    const t = await startTestCore({ env: servers.env() });
    try {
      await t.client.call('providers.endpoint.save', { name: 'lmstudio', baseUrl: servers.openai.baseUrl });
      const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ text: `Note ${i}: the ${['red', 'green', 'blue'][i % 3]} folder holds invoice ${i * 7}`, area: 'main' }));
      lines.push(JSON.stringify({ text: 'The spare key is under the flower pot', area: 'main' }));
      assert.equal((await t.client.call('memory.import', { jsonl: lines.join('\n') })).imported, 301);
      let batches = 0;
      servers.openai.embed = (texts) => {
        batches++;
        return texts.map((x) => hashEmbedding(x, 16));
      };
      const status = await t.client.call('memory.configure', { embedder: { kind: 'openai', provider: 'lmstudio', model: 'all-minilm-l6-v2' } });
      assert.equal(status.reembed?.embedder, 'lmstudio:all-minilm-l6-v2');
      assert.notEqual(status.embedder, 'lmstudio:all-minilm-l6-v2', 'the old embedder answers until the new index is complete');
      await t.core.memory.whenReembedded();
      const final = await t.client.call('memory.status', {});
      assert.equal(final.embedder, 'lmstudio:all-minilm-l6-v2');
      assert.equal(final.reembed, null);
      assert.ok(batches >= 5, `re-embedding is batched (${batches} requests)`);
      const hit = await t.client.call('memory.search', { query: 'The spare key is under the flower pot' });
      assert.equal(hit.hits[0].explain.vectorRank, 1, 'the new index answers with the new embedder');
      assert.equal(hit.hits[0].memory.embedder, 'lmstudio:all-minilm-l6-v2');

      await assert.rejects(t.client.call('memory.configure', { embedder: { kind: 'openai', provider: 'nowhere', model: 'm' } }), (err: AppError) => err.code === 'unavailable' && /no provider named "nowhere"/.test(err.message));
      await t.client.call('providers.endpoint.remove', { name: 'lmstudio' });
      const text = await t.client.call('memory.search', { query: 'spare key flower pot' });
      assert.match(text.hits[0].memory.text, /spare key/, 'full-text search still answers when the embedder is gone');
    } finally {
      await t.close();
    }
  });
});
