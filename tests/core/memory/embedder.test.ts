import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createOfflineEmbedder, createOllamaEmbedder } from '../../../core/memory/index.js';
import type { Reembedder } from '../../../core/memory/reembed.js';
import { OllamaLoopback, hashEmbedding, startTestCore, tempDir } from '../../support/index.js';

function norm(v: Float32Array): number {
  return Math.sqrt(v.reduce((s, x) => s + x * x, 0));
}

describe('memory embedders', () => {
  let ollama: OllamaLoopback;
  before(async () => {
    ollama = await OllamaLoopback.start();
  });
  after(() => ollama.close());

  it('the offline embedder is deterministic, unit length, and relates words through WordNet', async () => {
    const e = createOfflineEmbedder();
    await e.ready!();
    const [a, b] = e.embedSync!(['My brother lives in Oslo', 'My brother lives in Oslo'], 'document');
    assert.deepEqual(a, b);
    assert.ok(Math.abs(norm(a) - 1) < 1e-5);
    const [sibling, brother, tires] = e.embedSync!(['my sibling', 'my brother', 'new tires for the bike'], 'document');
    const dot = (x: Float32Array, y: Float32Array) => x.reduce((s, v, i) => s + v * y[i], 0);
    assert.ok(dot(sibling, brother) > dot(sibling, tires) + 0.05, `sibling~brother ${dot(sibling, brother)} vs tires ${dot(sibling, tires)}`);
    const plain = createOfflineEmbedder({ wordnet: false }).embedSync!(['my sibling', 'my brother'], 'document');
    assert.ok(dot(plain[0], plain[1]) < dot(sibling, brother), 'WordNet features must add the relation');
  });

  it('the Ollama embedder calls /api/embed through the ollama client in batches and normalises', async () => {
    const before = ollama.requests.length;
    const e = createOllamaEmbedder({ host: ollama.url, model: 'all-minilm', batchSize: 3 });
    const out = await e.embed(['a b', 'c d', 'e f', 'g h', 'i j'], 'document');
    const calls = ollama.requests.slice(before).filter((r) => r.path === '/api/embed');
    assert.equal(calls.length, 2);
    assert.deepEqual((calls[0].body as { input: string[] }).input, ['a b', 'c d', 'e f']);
    assert.equal((calls[0].body as { model: string }).model, 'all-minilm');
    assert.equal(out.length, 5);
    assert.deepEqual(Array.from(out[0]).map((x) => +x.toFixed(5)), hashEmbedding('a b', 8).map((x) => +x.toFixed(5)));
    assert.equal(await e.dims(), 8);
  });

  it('an unreachable Ollama is a readable unavailable error', async () => {
    const e = createOllamaEmbedder({ host: 'http://127.0.0.1:9', model: 'all-minilm' });
    await assert.rejects(e.embed(['x'], 'document'), (err: { code: string; message: string }) => err.code === 'unavailable' && /Ollama could not embed/.test(err.message));
  });

  it('a re-embedding a closed core left unfinished goes on where it stopped at the next start', async () => {
    const dir = tempDir();
    const memories = (texts: string[]) => texts.filter((x) => x.startsWith('Entry ')); // not the dimension probe
    try {
      const first = await startTestCore({ env: { OLLAMA_HOST: ollama.url }, dataDir: dir.path });
      const lines = Array.from({ length: 700 }, (_, i) => JSON.stringify({ text: `Entry ${i}: the ${['amber', 'teal', 'plum'][i % 3]} box holds receipt ${i * 11}`, area: 'main' }));
      assert.equal((await first.client.call('memory.import', { jsonl: lines.join('\n') })).imported, 700);
      const embedded: string[] = [];
      let closing: Promise<void> | null = null;
      ollama.embed = (texts) => {
        embedded.push(...memories(texts));
        // The core closes while its second batch of 256 is being embedded: the first batch is kept.
        if (embedded.length > 256 && !closing) closing = first.close();
        return texts.map((x) => hashEmbedding(x, 16));
      };
      await first.client.call('memory.configure', { embedder: { kind: 'ollama', model: 'all-minilm' } });
      while (!closing) await new Promise((resolve) => setImmediate(resolve));
      await closing;
      assert.ok(embedded.length > 256 && embedded.length < 700, `the first core embedded part of the store (${embedded.length})`);

      embedded.length = 0;
      const second = await startTestCore({ env: { OLLAMA_HOST: ollama.url }, dataDir: dir.path });
      try {
        await second.core.memory.whenReembedded();
        const status = await second.client.call('memory.status', {});
        assert.equal(status.embedder, 'ollama:all-minilm');
        assert.equal(status.reembed, null);
        assert.equal(embedded.length, 700 - 256, 'the second core embedded only what the first had not saved');
        assert.equal(new Set(embedded).size, embedded.length, 'and each of those once');
        const states = second.events.filter((e) => e.type === 'memory.embedder').map((e) => e.data as { state: string; done: number });
        const resumed = states.filter((x) => x.state === 'started').at(-1)!;
        assert.equal(resumed.done, 256, 'it starts from what the first core saved');
        assert.equal(states.at(-1)!.state, 'finished');
        const hit = await second.client.call('memory.search', { query: 'Entry 5: the plum box holds receipt 55' });
        assert.equal(hit.hits[0].memory.text, 'Entry 5: the plum box holds receipt 55');
        assert.equal(hit.hits[0].explain.vectorRank, 1, 'a memory the first core embedded is in the finished index');
      } finally {
        await second.close();
      }
    } finally {
      ollama.embed = (texts) => texts.map((x) => hashEmbedding(x, 8));
      dir.cleanup();
    }
  });

  it('changing the embedder re-embeds in the background with progress while search keeps answering', async () => {
    const t = await startTestCore({ env: { OLLAMA_HOST: ollama.url } });
    try {
      const lines = Array.from({ length: 600 }, (_, i) => JSON.stringify({ text: `Note ${i}: the ${['red', 'green', 'blue'][i % 3]} folder holds invoice ${i * 7}`, area: 'main' }));
      lines.push(JSON.stringify({ text: 'The spare key is under the flower pot', area: 'main' }));
      assert.equal((await t.client.call('memory.import', { jsonl: lines.join('\n') })).imported, 601);
      let calls = 0;
      ollama.embed = (texts) => {
        calls++;
        return texts.map((x) => hashEmbedding(x, 16));
      };
      const status = await t.client.call('memory.configure', { embedder: { kind: 'ollama', model: 'all-minilm' } });
      assert.equal(status.embedder, createOfflineEmbedder().name, 'the old embedder answers until the new index is complete');
      assert.ok(status.reembed && status.reembed.embedder === 'ollama:all-minilm');
      const during = await t.client.call('memory.search', { query: 'spare key flower pot' });
      assert.match(during.hits[0].memory.text, /spare key/);
      assert.ok(during.hits[0].explain.vectorRank !== null, 'vector search keeps using the old index');
      const added = await t.client.call('memory.add', { text: 'The garage code is 4711', area: 'main' });
      await t.core.memory.whenReembedded();
      const final = await t.client.call('memory.status', {});
      assert.equal(final.embedder, 'ollama:all-minilm');
      assert.equal(final.reembed, null);
      assert.ok(calls >= 3, `re-embedding is batched (${calls} calls)`);
      const progress = t.events.filter((e) => e.type === 'memory.embedder').map((e) => (e.data as { state: string }).state);
      assert.deepEqual([progress[0], progress.at(-1)], ['started', 'finished']);
      const after = await t.client.call('memory.search', { query: 'garage code' });
      assert.equal(after.hits[0].memory.id, added.memory.id);
      assert.equal(after.hits[0].memory.embedder, 'ollama:all-minilm');
      const vectorOnly = await t.client.call('memory.search', { query: 'The spare key is under the flower pot' });
      assert.equal(vectorOnly.hits[0].explain.vectorRank, 1, 'the new index answers with the new embedder');
    } finally {
      await t.close();
    }
  });

  it('a re-embedding that fails on a full disk, and cannot even record that, leaves the core answering and says so in doctor', { timeout: 60_000 }, async () => {
    const t = await startTestCore({ env: { OLLAMA_HOST: ollama.url } });
    try {
      const lines = Array.from({ length: 600 }, (_, i) => JSON.stringify({ text: `Note ${i}: the ${['red', 'green', 'blue'][i % 3]} folder holds invoice ${i * 7}`, area: 'main' }));
      lines.push(JSON.stringify({ text: 'The spare key is under the flower pot', area: 'main' }));
      assert.equal((await t.client.call('memory.import', { jsonl: lines.join('\n') })).imported, 601);
      // The disk fills up while the first batch is being embedded: the batch cannot be written
      // (SQLITE_FULL), and neither can the record of the failure (the pages dropping the half-built
      // index frees would take it, so the log's insert is made to fail as a full disk fails it).
      ollama.embed = (texts) => {
        t.core.db.pragma(`max_page_count = ${Number(t.core.db.pragma('page_count', { simple: true }))}`);
        t.core.db.exec("CREATE TEMP TRIGGER disk_full BEFORE INSERT ON events BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END");
        return texts.map((x) => hashEmbedding(x, 16));
      };
      await t.client.call('memory.configure', { embedder: { kind: 'ollama', model: 'all-minilm' } });
      await t.core.memory.whenReembedded();
      const doctor = await t.client.call('system.doctor', { probeProviders: false });
      const check = doctor.checks.find((c) => c.name === 'memory re-embedding');
      assert.equal(check?.status, 'warn', JSON.stringify(doctor.checks));
      assert.match(check!.detail, /ollama:all-minilm failed: .*full/);
      const status = await t.client.call('memory.status', {});
      assert.equal(status.reembed, null);
      assert.equal(status.embedder, createOfflineEmbedder().name, 'the previous embedder and index stay in use');
      const found = await t.client.call('memory.search', { query: 'spare key flower pot' });
      assert.match(found.hits[0].memory.text, /spare key/);
      assert.ok(!t.events.some((e) => e.type === 'memory.embedder' && (e.data as { state: string }).state === 'failed'), 'the failure could not be recorded in the log');
      t.core.db.exec('DROP TRIGGER temp.disk_full');
      t.core.db.pragma('max_page_count = 1073741823');
      await t.client.call('memory.add', { text: 'The garage code is 4711', area: 'main' });
    } finally {
      ollama.embed = (texts) => texts.map((x) => hashEmbedding(x, 8));
      await t.close();
    }
  });

  it('a wait for a re-embedding ends at its wall-clock limit when no batch comes back, and the re-embedding goes on', { timeout: 60_000 }, async () => {
    const t = await startTestCore({ env: { OLLAMA_HOST: ollama.url } });
    let release = () => {};
    try {
      await t.client.call('memory.add', { text: 'The spare key is under the flower pot', area: 'main' });
      // The embedder answers the check that it works, then holds the re-embedding's first batch.
      ollama.embed = (texts) => {
        ollama.holdEmbed ??= new Promise<void>((resolve) => (release = resolve));
        return texts.map((x) => hashEmbedding(x, 16));
      };
      await t.client.call('memory.configure', { embedder: { kind: 'ollama', model: 'all-minilm' } });
      const reembedder = (t.core.memory as unknown as { reembedder: Reembedder }).reembedder;
      let checked = 0;
      await reembedder.whileNot(() => ++checked > 0, 200);
      assert.equal(checked, 0, 'no batch came back');
      assert.ok((await t.client.call('memory.status', {})).reembed, 'the re-embedding is still running');
      ollama.embed = (texts) => texts.map((x) => hashEmbedding(x, 16));
      ollama.holdEmbed = null;
      release();
      await t.core.memory.whenReembedded();
      assert.equal((await t.client.call('memory.status', {})).embedder, 'ollama:all-minilm');
    } finally {
      ollama.embed = (texts) => texts.map((x) => hashEmbedding(x, 8));
      ollama.holdEmbed = null;
      release();
      await t.close();
    }
  });
});
