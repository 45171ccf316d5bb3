import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isOfflineEmbedder } from '../../../core/memory/embedder.js';
import { DEFAULT_PROFILE } from '../../../core/memory/index.js';
import { startTestCore, useLoopbackProviders } from '../../support/index.js';

const DIMS = 8;
const axis = (i: number, plus: number[] = []) => {
  const v = new Array<number>(DIMS).fill(0);
  v[i] = 1;
  plus.forEach((x, j) => (v[j] += x));
  return v;
};

describe('search with an embedding model', () => {
  const servers = useLoopbackProviders();

  it('weighs what only the model’s vectors find as much as what only the full text finds', { timeout: 60_000 }, async () => {
    const t = await startTestCore({ env: servers.env() });
    try {
      await t.client.call('providers.endpoint.save', { name: 'lmstudio', baseUrl: servers.openai.baseUrl });
      const query = 'where is the spare key?';
      const found = { spare: 'The spare key is under the flower pot', tyre: 'A spare tyre is in the boot of the car', neighbour: 'Mrs Oduya looks after it for us' };
      const fillers = Array.from({ length: 65 }, (_, i) => `Invoice ${i * 7} was paid in full`);
      // The model puts the neighbour right on the question; the full-text hits far from it, past every filler.
      servers.openai.embed = (texts) =>
        texts.map((x) => (x === query || x === found.neighbour ? axis(0) : x === found.spare || x === found.tyre ? axis(1) : axis(2, [0.2])));
      const lines = [...Object.values(found), ...fillers].map((text) => JSON.stringify({ text, area: 'main' }));
      await t.client.call('memory.import', { jsonl: lines.join('\n') });
      await t.client.call('memory.configure', { embedder: { kind: 'openai', provider: 'lmstudio', model: 'all-minilm-l6-v2' } });
      await t.core.memory.whenReembedded();
      assert.equal((await t.client.call('memory.status', {})).embedder, 'lmstudio:all-minilm-l6-v2');

      const { hits } = await t.client.call('memory.search', { query, limit: 10 });
      const at = (text: string) => hits.findIndex((h) => h.memory.text === text);
      const hit = (text: string) => {
        assert.ok(at(text) >= 0, `${text} is among the results: ${hits.map((h) => `${h.memory.text} ${h.explain.bm25Rank}/${h.explain.vectorRank}`).join('; ')}`);
        return hits[at(text)];
      };
      assert.equal(hit(found.neighbour).explain.bm25Rank, null, 'no word of the question finds the neighbour');
      assert.equal(hit(found.neighbour).explain.vectorRank, 1);
      assert.equal(hit(found.spare).explain.bm25Rank, 1);
      assert.equal(hit(found.tyre).explain.bm25Rank, 2);
      assert.equal(hit(found.spare).explain.vectorRank, null, 'the full-text hits are past the vector list');
      // Each is first in one list: with an embedding model both lists weigh the same.
      assert.ok(Math.abs(hit(found.neighbour).explain.rrf - hit(found.spare).explain.rrf) < 1e-12);
      assert.ok(Math.abs(hit(found.neighbour).explain.rrf - 1 / (DEFAULT_PROFILE.rrfK + 1)) < 1e-12);
      assert.ok(at(found.neighbour) < at(found.tyre), `the model's first (${at(found.neighbour)}) ranks above the full text's second (${at(found.tyre)})`);
    } finally {
      await t.close();
    }
  });

  it('tells the built-in offline embedder’s vectors from an embedding model’s by the name stored with them', () => {
    for (const name of ['offline-v4-360', 'offline-v2-256']) assert.ok(isOfflineEmbedder(name), name);
    for (const name of ['ollama:nomic-embed-text', 'openai:text-embedding-3-small', 'lmstudio:nomic-embed-text-v1.5', 'offline-models:bge-small']) assert.ok(!isOfflineEmbedder(name), name);
  });
});
