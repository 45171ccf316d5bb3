import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../crash/spawn.js';
import { tempDir } from '../support/index.js';

const LOADER = pathToFileURL(join(REPO_ROOT, 'bin', 'code-cache.js')).href;

/** A bundle as the build writes one: a package and a relative file loaded on first use through `__scriptImport`. */
function bundle(answer: string): string {
  return `"use strict";
module.exports = {
  answer: ${JSON.stringify(answer)},
  later: async () => {
    const ws = await __scriptImport("ws");
    const sibling = await __scriptImport("./sibling.mjs");
    return typeof ws.WebSocketServer + " " + sibling.name + " " + (__filename.endsWith("bundle.cjs") ? "named" : "unnamed");
  },
};
`;
}

/**
 * Loads the bundle in a process of its own (a cache is only deserialized in a new process: within
 * one, V8 reuses what it compiled), runs its import()s, saves the cache and reports what it found.
 */
function loadInChild(file: string, cacheDir: string): { cache: string; answer: string; later: string } {
  const code = `import { loadCached } from ${JSON.stringify(LOADER)};
const bundle = loadCached(${JSON.stringify(file)}, { cacheDir: ${JSON.stringify(cacheDir)} });
const later = await bundle.exports.later();
bundle.saveCache();
process.stdout.write(JSON.stringify({ cache: bundle.cache, answer: bundle.exports.answer, later }));`;
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', code], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  assert.equal(child.status, 0, child.stderr);
  assert.equal(child.stderr, '', 'nothing printed to stderr (no warning)');
  return JSON.parse(child.stdout) as { cache: string; answer: string; later: string };
}

describe('the code-cache loader (bin/code-cache.js)', () => {
  it('compiles a bundle once, then starts from the cache it saved, with import() working from a cached start', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'bundle.cjs');
      const cacheDir = join(dir.path, 'cache');
      writeFileSync(file, bundle('one'));
      writeFileSync(join(dir.path, 'sibling.mjs'), 'export const name = "sibling";\n');
      const first = loadInChild(file, cacheDir);
      assert.deepEqual(first, { cache: 'none', answer: 'one', later: 'function sibling named' });
      assert.equal(readdirSync(cacheDir).length, 1);
      assert.deepEqual(loadInChild(file, cacheDir), { cache: 'used', answer: 'one', later: 'function sibling named' });

      // A rebuilt bundle of the very same length (V8's own check) runs its new code, with a new cache
      // that replaces the old one.
      writeFileSync(file, bundle('two'));
      assert.deepEqual(loadInChild(file, cacheDir), { cache: 'none', answer: 'two', later: 'function sibling named' });
      const caches = readdirSync(cacheDir);
      assert.equal(caches.length, 1, caches.join(', '));
      assert.equal(loadInChild(file, cacheDir).cache, 'used');

      // A damaged cache is rejected, the bundle compiled from its text and the cache written anew.
      writeFileSync(join(cacheDir, caches[0]), Buffer.alloc(4096, 7));
      assert.deepEqual(loadInChild(file, cacheDir), { cache: 'rejected', answer: 'two', later: 'function sibling named' });
      assert.equal(loadInChild(file, cacheDir).cache, 'used');
    } finally {
      dir.cleanup();
    }
  });

  it("takes the bundle's hash from the build's record only while the bundle is the file the build saw", async () => {
    const { recordBundleHash } = (await import(LOADER)) as { recordBundleHash(path: string): void };
    const dir = tempDir();
    try {
      const file = join(dir.path, 'bundle.cjs');
      const cacheDir = join(dir.path, 'cache');
      writeFileSync(join(dir.path, 'sibling.mjs'), 'export const name = "sibling";\n');
      writeFileSync(file, bundle('four'));
      recordBundleHash(file);
      assert.equal(loadInChild(file, cacheDir).cache, 'none');
      assert.equal(loadInChild(file, cacheDir).cache, 'used');
      // Edited by hand after the build (same length, so V8 alone would take the old cache): the record
      // no longer describes the file, which is hashed instead and compiled anew.
      writeFileSync(file, bundle('five'));
      utimesSync(file, new Date(), new Date(Date.now() + 5_000));
      assert.deepEqual(loadInChild(file, cacheDir), { cache: 'none', answer: 'five', later: 'function sibling named' });
    } finally {
      dir.cleanup();
    }
  });

  it('runs without a cache where none can be written', () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'bundle.cjs');
      writeFileSync(file, bundle('three'));
      writeFileSync(join(dir.path, 'sibling.mjs'), 'export const name = "sibling";\n');
      // A file where the cache folder should be: the folder cannot be made.
      const blocked = join(dir.path, 'blocked');
      writeFileSync(blocked, '');
      chmodSync(blocked, 0o400);
      const cacheDir = join(blocked, 'cache');
      assert.deepEqual(loadInChild(file, cacheDir), { cache: 'none', answer: 'three', later: 'function sibling named' });
      assert.deepEqual(loadInChild(file, cacheDir), { cache: 'none', answer: 'three', later: 'function sibling named' });
    } finally {
      dir.cleanup();
    }
  });
});
