import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
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
});
