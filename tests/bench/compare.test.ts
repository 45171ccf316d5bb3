import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { linkTree, prepareBase } from '../../bench/compare-base.js';
import { REPO_ROOT } from '../crash/spawn.js';
import { runBenchScript } from './scripts.js';

const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8' }).trim();

/** Runs `npm run bench:compare`'s script with `args`. */
const compare = (args: string[]) => runBenchScript('bench/compare.ts', args);

describe('bench:compare', () => {
  it('links a tree file by file into real folders, copies the folders named to copy, and keeps symbolic links', { timeout: 30_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'agent-blob-linktree-'));
    try {
      mkdirSync(join(dir, 'from/pkg/lib'), { recursive: true });
      mkdirSync(join(dir, 'from/.cache/agent-blob'), { recursive: true });
      writeFileSync(join(dir, 'from/pkg/lib/index.js'), 'module.exports = 1;\n');
      writeFileSync(join(dir, 'from/.cache/agent-blob/index.bin'), 'index');
      execFileSync('ln', ['-s', '../pkg/lib/index.js', join(dir, 'from/.cache/bin')]);
      assert.deepEqual(linkTree(join(dir, 'from'), join(dir, 'to'), ['.cache']), { linked: 1, copied: 1 });
      assert.ok(lstatSync(join(dir, 'to/pkg')).isDirectory() && !lstatSync(join(dir, 'to/pkg')).isSymbolicLink());
      assert.equal(statSync(join(dir, 'to/pkg/lib/index.js')).ino, statSync(join(dir, 'from/pkg/lib/index.js')).ino, 'the file is the same file');
      assert.notEqual(statSync(join(dir, 'to/.cache/agent-blob/index.bin')).ino, statSync(join(dir, 'from/.cache/agent-blob/index.bin')).ino, 'the cache is a copy');
      writeFileSync(join(dir, 'to/.cache/agent-blob/index.bin'), 'changed');
      assert.equal(readFileSync(join(dir, 'from/.cache/agent-blob/index.bin'), 'utf8'), 'index', 'a write into the copy leaves the original');
      assert.ok(lstatSync(join(dir, 'to/.cache/bin')).isSymbolicLink());
      assert.equal(readFileSync(join(dir, 'to/.cache/bin'), 'utf8'), 'module.exports = 1;\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("prepares another commit's checkout with a node_modules folder of its own that its build script accepts, and its command line runs", { timeout: 60_000 }, async () => {
    const base = await prepareBase(REPO_ROOT, head);
    try {
      assert.equal(base.cliBuildError, null);
      const modules = lstatSync(join(base.dir, 'node_modules'));
      assert.ok(modules.isDirectory() && !modules.isSymbolicLink(), 'node_modules is a folder, not a link out of the checkout');
      assert.equal(statSync(join(base.dir, 'node_modules/zod/package.json')).ino, statSync(join(REPO_ROOT, 'node_modules/zod/package.json')).ino, "the packages' files are this checkout's, linked");
      const manifest = JSON.parse(readFileSync(join(base.dir, 'dist/cli/inputs.json'), 'utf8')) as { inputs: Record<string, string> };
      assert.ok('core/host/cli/main.ts' in manifest.inputs, 'built from its own sources');
      assert.ok(Object.keys(manifest.inputs).every((file) => !file.startsWith('..')), 'every input from inside the checkout');
      const version = execFileSync(process.execPath, [join(base.dir, 'bin/agent-blob.js'), '--version'], { cwd: base.dir, encoding: 'utf8' }).trim();
      const expected = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
      assert.ok(version.includes(expected), version);
    } finally {
      base.cleanup();
    }
    assert.equal(existsSync(base.dir), false, 'the folder is removed');
  });

  it('runs a suite of both sides and reports each side', { timeout: 120_000 }, async () => {
    const r = await compare(['--against', 'HEAD', '--rounds', '1', 'host-start']);
    assert.equal(r.code, 0, r.stderr || r.stdout);
    const report = JSON.parse(r.stdout) as {
      base: { commit: string; cliBuildError: string | null };
      suitesSkipped: Record<string, string>;
      suites: Record<string, { errors: string[]; metrics: Record<string, { base: { median: number } | null; head: { median: number } | null; verdict: string }> }>;
    };
    assert.equal(report.base.commit, head);
    assert.equal(report.base.cliBuildError, null);
    assert.deepEqual(report.suitesSkipped, {});
    const suite = report.suites['host-start'];
    assert.deepEqual(suite.errors, []);
    for (const key of ['host_start_median_ms', 'cli_version_median_ms']) {
      const m = suite.metrics[key];
      assert.ok(m.base && m.base.median > 0 && m.head && m.head.median > 0, `${key}: ${JSON.stringify(m)}`);
    }
  });
});
