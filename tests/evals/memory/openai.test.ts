import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OpenAILoopback, hashEmbedding } from '../../support/index.js';
import { runMemoryEval } from './run.js';

describe('the memory eval with an OpenAI-compatible embedder', () => {
  let server: OpenAILoopback;
  before(async () => {
    server = await OpenAILoopback.start();
    // A fixed fake embedding: the figure only shows the wiring works, not how good a model is.
    server.embed = (texts) => texts.map((t) => hashEmbedding(t, 64));
  });
  after(() => server.close());

  it('runs a set with vectors from /v1/embeddings of the loopback server', async (t) => {
    const result = (await runMemoryEval({ openaiModel: 'fake-embed', set: 'original', env: { OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: 'sk-eval-key-000000000000000' } })) as {
      embedder: string;
      sets: Record<string, { memories: number; questions: number; recallAt10: number }>;
    };
    assert.equal(result.embedder, 'openai:fake-embed');
    const set = result.sets.original;
    const embedded = server.requests.filter((r) => r.path === '/v1/embeddings').flatMap((r) => (r.body as { input: string[] }).input);
    assert.ok(embedded.length >= set.memories + set.questions, `every memory and question was embedded by the server (${embedded.length} texts)`);
    assert.ok(server.requests.every((r) => (r.body as { model?: string })?.model === 'fake-embed'));
    assert.equal(typeof set.recallAt10, 'number');
    t.diagnostic(`recall@10 with the fake embedding: ${set.recallAt10} (informational)`);
  });
});
