import assert from 'node:assert/strict';
import { rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { isAppError } from '../../../core/contract/index.js';
import { startTestCore } from '../../support/index.js';

describe('reading an artifact', () => {
  it('a file swapped for a symlink that leads out of the artifacts folder, or a row whose path climbs out with ../, is refused with a clear error, and a plain file still reads', async () => {
    const t = await startTestCore();
    try {
      const store = t.core.workers.artifacts;
      const secret = join(dirname(store.folder), 'secret.txt');
      writeFileSync(secret, 'the private key');
      const run = t.core.log.transaction(() => t.core.runs.create({ kind: 'chat', title: 'worker' }));
      const [plain, swapped] = store.write(run, [{ name: 'plain.md', content: '# plain' }, { name: 'swapped.md', content: '# swapped' }]);
      const climbing = { id: 'art_climb', name: 'climb.txt', type: 'text/plain', size: 15, path: '../secret.txt' };
      t.core.log.transaction(() => store.record(run, [plain, swapped, climbing]));
      rmSync(join(store.folder, swapped.path));
      symlinkSync(secret, join(store.folder, swapped.path));

      const read = await t.client.call('workers.artifact', { artifactId: plain.id });
      assert.equal(read.text, '# plain');
      for (const id of [swapped.id, climbing.id]) {
        await assert.rejects(t.client.call('workers.artifact', { artifactId: id }), (err) => isAppError(err) && err.code === 'denied' && /outside the artifacts folder|not a plain file/.test(err.message));
      }
    } finally {
      await t.close();
    }
  });
});
