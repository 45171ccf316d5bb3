import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createOpenAIEmbedder } from '../../../core/memory/openai-embedder.js';
import { USE_MODEL, startUseServer, type UseServer } from './use-server.js';

const cos = (a: Float32Array, b: Float32Array) => a.reduce((s, x, i) => s + x * b[i], 0);

describe('the eval’s Universal Sentence Encoder server', () => {
  let dir: string;
  let server: UseServer;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'use-server-'));
    server = await startUseServer({ cacheFile: join(dir, 'use.bin') });
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('embeds by meaning through the product’s OpenAI-compatible embedder, and a second server reads the same vectors from its cache', { timeout: 120_000 }, async () => {
    const embedder = createOpenAIEmbedder({ provider: 'local', model: USE_MODEL, endpoint: () => ({ name: 'local', baseUrl: server.baseUrl, apiKey: null, keyRequired: false }) });
    const texts = ['My dad turns 70 in March', "When is my father's birthday?", 'I bought a new kettle'];
    const [dad, father, kettle] = await embedder.embed(texts, 'document');
    assert.equal(await embedder.dims(), 512);
    assert.ok(Math.abs(cos(dad, dad) - 1) < 1e-5);
    assert.ok(cos(dad, father) > cos(dad, kettle) + 0.2, `dad~father ${cos(dad, father)}, dad~kettle ${cos(dad, kettle)}`);
    assert.equal(server.embedded(), 3, 'each text once');
    assert.ok(statSync(join(dir, 'use.bin')).size > 3 * 512 * 4, 'three vectors written');

    const again = await startUseServer({ cacheFile: join(dir, 'use.bin') });
    try {
      const cached = createOpenAIEmbedder({ provider: 'local', model: USE_MODEL, endpoint: () => ({ name: 'local', baseUrl: again.baseUrl, apiKey: null, keyRequired: false }) });
      const [dad2] = await cached.embed([texts[0]], 'document');
      assert.deepEqual(Array.from(dad2), Array.from(dad));
      assert.equal(again.embedded(), 0, 'nothing embedded twice');
    } finally {
      await again.close();
    }
  });

  it('a record cut short by a crash is dropped from the cache file, so the records added after it read back whole and the cut text is embedded again', { timeout: 120_000 }, async () => {
    const file = join(dir, 'cut.bin');
    const embedderOf = (s: UseServer) => createOpenAIEmbedder({ provider: 'local', model: USE_MODEL, endpoint: () => ({ name: 'local', baseUrl: s.baseUrl, apiKey: null, keyRequired: false }) });
    const texts = ['The boiler was serviced in October', 'Sam is allergic to peanuts', 'Our wifi password is on the fridge'];
    const first = await startUseServer({ cacheFile: file });
    let kept: Float32Array[];
    try {
      kept = await embedderOf(first).embed(texts.slice(0, 2), 'document');
    } finally {
      await first.close();
    }
    // Two whole records, the second then cut short as by a crash mid-write.
    truncateSync(file, 2 * 4 + Buffer.byteLength(texts[0]) + Buffer.byteLength(texts[1]) + 2 * 512 * 4 - 100);

    const second = await startUseServer({ cacheFile: file });
    try {
      kept.push(...(await embedderOf(second).embed([texts[2]], 'document')));
      assert.equal(second.embedded(), 1, 'the third text is new to this cache');
    } finally {
      await second.close();
    }

    const third = await startUseServer({ cacheFile: file });
    try {
      const [boiler, sam, wifi] = await embedderOf(third).embed(texts, 'document');
      assert.equal(third.embedded(), 1, 'only the cut text is embedded again');
      assert.deepEqual(Array.from(boiler), Array.from(kept[0]), 'the whole record before the cut one');
      assert.deepEqual(Array.from(wifi), Array.from(kept[2]), 'the record appended after the cut');
      assert.ok(cos(sam, kept[1]) > 0.999, 'the cut text has its own vector again');
    } finally {
      await third.close();
    }
  });
});
