import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../crash/spawn.js';
import { tempDir } from '../support/index.js';

const LOADER = pathToFileURL(join(REPO_ROOT, 'bin', 'code-cache.js')).href;

/** Two builds of the same length (a changed constant), as a rebuild after a one-character edit. */
const bundle = (answer: string) => `"use strict";\nmodule.exports = { answer: ${JSON.stringify(answer)} };\n`;

/** Loads in a child; with `staging`, the build's renames land after the loader has read the bundle, just before it reads the record. */
function loadInChild(file: string, cacheDir: string, staging: string | null): { cache: string; answer: string } {
  const code = `import fs from 'node:fs'; import { syncBuiltinESMExports } from 'node:module';
const staging = ${JSON.stringify(staging)};
if (staging) {
  const real = fs.readFileSync;
  let done = false;
  fs.readFileSync = function (path, ...rest) {
    if (!done && String(path) === ${JSON.stringify(file + '.sha256')}) {
      done = true;
      // What scripts/build-cli.mjs does meanwhile: renames the new bundle and its record into place.
      fs.renameSync(staging + '/bundle.cjs', ${JSON.stringify(file)});
      fs.renameSync(staging + '/bundle.cjs.sha256', ${JSON.stringify(file)} + '.sha256');
    }
    return real.call(this, path, ...rest);
  };
  syncBuiltinESMExports();
}
const { loadCached } = await import(${JSON.stringify(LOADER)});
const bundle = loadCached(${JSON.stringify(file)}, { cacheDir: ${JSON.stringify(cacheDir)} });
bundle.saveCache();
process.stdout.write(JSON.stringify({ cache: bundle.cache, answer: bundle.exports.answer }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout) as { cache: string; answer: string };
}

describe('the code-cache loader and a rebuild landing during a start', () => {
  it('never leaves a cache of the old bundle under the new bundle\'s name', { timeout: 30_000 }, async () => {
    const { recordBundleHash } = (await import(LOADER)) as { recordBundleHash(path: string): void };
    const dir = tempDir();
    try {
      const file = join(dir.path, 'bundle.cjs');
      const cacheDir = join(dir.path, 'cache');
      const staging = join(dir.path, 'staging');
      mkdirSync(staging);
      writeFileSync(file, bundle('old'));
      recordBundleHash(file);
      writeFileSync(join(staging, 'bundle.cjs'), bundle('new'));
      // A later build: its own modification time (file times are coarse; builds are seconds apart).
      utimesSync(join(staging, 'bundle.cjs'), new Date(), new Date(Date.now() + 5_000));
      recordBundleHash(join(staging, 'bundle.cjs'));
      // A start reads the old bytes; the rebuild lands before it looks at the record.
      assert.equal(loadInChild(file, cacheDir, staging).answer, 'old');
      // Every later start must run the new build.
      const next = loadInChild(file, cacheDir, null);
      assert.equal(next.answer, 'new', `a start after the rebuild ran the old code (cache: ${next.cache})`);
    } finally {
      dir.cleanup();
    }
  });
});
