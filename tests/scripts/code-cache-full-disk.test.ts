import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../crash/spawn.js';
import { tempDir } from '../support/index.js';

const LOADER = pathToFileURL(join(REPO_ROOT, 'bin', 'code-cache.js')).href;

describe('the code-cache loader and half-written cache files', { skip: process.platform === 'win32' ? 'ulimit -f is POSIX' : false }, () => {
  it('leaves no partial cache file behind when the write fails', { timeout: 60_000 }, () => {
    const dir = tempDir();
    try {
      // A bundle whose cache is well over the limit below.
      const file = join(dir.path, 'bundle.cjs');
      const body = Array.from({ length: 4000 }, (_, i) => `function f${i}(x) { return x * ${i} + ${JSON.stringify('s' + i)}.length; }`).join('\n');
      writeFileSync(file, `"use strict";\n${body}\nmodule.exports = { sum: () => { let s = 0; ${Array.from({ length: 4000 }, (_, i) => `s += f${i}(1);`).join(' ')} return s; } };\n`);
      const cacheDir = join(dir.path, 'cache');
      const code = `import { loadCached } from ${JSON.stringify(LOADER)};
const b = loadCached(${JSON.stringify(file)}, { cacheDir: ${JSON.stringify(cacheDir)} });
b.exports.sum();
b.saveCache();`;
      // Files this process writes may not exceed 64 KiB (Node ignores SIGXFSZ: the write fails with EFBIG, as on a full disk with ENOSPC).
      for (let i = 0; i < 3; i++) {
        const child = spawnSync('sh', ['-c', `ulimit -f 128; exec "$0" --input-type=module -e "$1"`, process.execPath, code], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
        assert.equal(child.status, 0, child.stderr);
      }
      assert.deepEqual(readdirSync(cacheDir), [], 'failed writes left files behind');
    } finally {
      dir.cleanup();
    }
  });

  it('removes a half-written cache a killed start left behind once it is a minute old', { timeout: 30_000 }, () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'bundle.cjs');
      writeFileSync(file, '"use strict";\nmodule.exports = { answer: 42 };\n');
      const cacheDir = join(dir.path, 'cache');
      mkdirSync(cacheDir);
      const stale = 'bundle-0123-w1-v20-x64.v8cache.101.tmp';
      const writing = 'bundle-0123-w1-v20-x64.v8cache.102.tmp';
      const otherBundle = 'main-0123-w1-v20-x64.v8cache.103.tmp';
      for (const name of [stale, writing, otherBundle]) writeFileSync(join(cacheDir, name), 'partial');
      const twoMinutesAgo = new Date(Date.now() - 120_000);
      utimesSync(join(cacheDir, stale), twoMinutesAgo, twoMinutesAgo);
      utimesSync(join(cacheDir, otherBundle), twoMinutesAgo, twoMinutesAgo);
      const code = `import { loadCached } from ${JSON.stringify(LOADER)};
const b = loadCached(${JSON.stringify(file)}, { cacheDir: ${JSON.stringify(cacheDir)} });
b.saveCache();
process.stdout.write(String(b.exports.answer));`;
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
      assert.equal(child.status, 0, child.stderr);
      assert.equal(child.stdout, '42');
      // The old one goes; one another start may still be writing stays, as does another bundle's.
      const left = readdirSync(cacheDir).sort();
      assert.equal(left.length, 3, left.join(', '));
      assert.ok(left.includes(writing) && left.includes(otherBundle) && !left.includes(stale), left.join(', '));
      assert.ok(left.some((f) => /^bundle-[0-9a-f]{32}-w1-.*\.v8cache$/.test(f)), left.join(', '));
    } finally {
      dir.cleanup();
    }
  });
});
