import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildCli, whyRebuild } from '../../../scripts/build-cli.mjs';
import { REPO_ROOT, spawnUntilReady } from '../../crash/spawn.js';
import { startTestCore, tempDir } from '../../support/index.js';
import { runCli } from './cli-support.js';

// Loaded into the child before anything else: fails any attempt to load a TypeScript file.
const NO_TYPESCRIPT_HOOKS = `export async function load(url, context, next) {
  if (/\\.tsx?$/.test(new URL(url).pathname)) throw new Error('TypeScript loaded at run time: ' + url);
  return next(url, context);
}`;
const NO_TYPESCRIPT = `data:text/javascript,${encodeURIComponent(
  `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(NO_TYPESCRIPT_HOOKS)}`)});`,
)}`;
// The same for the command line's own modules: a memory search answered directly loads none of them.
const NO_CORE_HOOKS = `export async function load(url, context, next) {
  const path = new URL(url).pathname;
  if (path.includes('/dist/cli/main.js') || path.includes('/dist/cli/chunks/')) throw new Error('the command line was loaded: ' + url);
  return next(url, context);
}`;
const NO_CORE = `data:text/javascript,${encodeURIComponent(
  `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(NO_CORE_HOOKS)}`)});`,
)}`;

describe('the built command line', () => {
  it('runs a command and the host from JavaScript alone: no TypeScript file is loaded', async () => {
    if (whyRebuild()) await buildCli();
    const dir = tempDir();
    try {
      const env = { ...process.env, ANTHROPIC_API_KEY: '', NODE_OPTIONS: '' };
      const doctor = spawnSync(process.execPath, ['--import', NO_TYPESCRIPT, 'bin/agent-blob.js', 'doctor', '--no-probe', '--json', '--data-dir', dir.path], {
        cwd: REPO_ROOT,
        encoding: 'utf8',
        env,
      });
      assert.doesNotMatch(doctor.stderr, /TypeScript loaded/);
      const report = JSON.parse(doctor.stdout) as { checks: { name: string; status: string }[] };
      assert.ok(report.checks.some((c) => c.name === 'connection' && c.status === 'ok'), doctor.stdout);

      const host = await spawnUntilReady(['--import', NO_TYPESCRIPT, 'bin/agent-blob.js', 'host', '--json', '--no-ui', '--data-dir', dir.path], env);
      assert.match(String(host.ready.url), /^http:\/\/127\.0\.0\.1:\d+\//);
      host.child.kill('SIGTERM');
      assert.deepEqual(await host.exited, { code: 0, signal: null }, host.stderr());
      assert.doesNotMatch(host.stderr(), /TypeScript loaded/);
    } finally {
      dir.cleanup();
    }
  });

  it('answers a memory search from the database without loading the command line or the core, and with the same hits', async () => {
    if (whyRebuild()) await buildCli();
    const dir = tempDir();
    try {
      const t = await startTestCore({ dataDir: dir.path });
      const jsonl = ['My dentist is Dr. Okafor at the Riverside practice', 'The office wifi is called blob-guest', 'Our cat Miso is allergic to chicken'].map((text) => JSON.stringify({ text, area: 'main' })).join('\n');
      await t.client.call('memory.import', { jsonl });
      await t.close();
      const env = { ...process.env, NODE_OPTIONS: '' };
      const direct = spawnSync(process.execPath, ['--import', NO_CORE, 'bin/agent-blob.js', 'memory', 'search', 'who is my dentist', '--json', '--data-dir', dir.path], { cwd: REPO_ROOT, encoding: 'utf8', env });
      assert.equal(direct.status, 0, direct.stderr);
      const hits = JSON.parse(direct.stdout) as { text: string }[];
      assert.equal(hits[0].text, 'My dentist is Dr. Okafor at the Riverside practice');
      const viaCore = await runCli(['memory', 'search', 'who is my dentist', '--json', '--data-dir', dir.path], {});
      assert.deepEqual(hits.map((h) => h.text), (JSON.parse(viaCore.stdout) as { text: string }[]).map((h) => h.text));
      // What it does not answer (here: a refused argument) goes to the command line, which says why.
      const refused = spawnSync(process.execPath, ['--import', NO_CORE, 'bin/agent-blob.js', 'memory', 'search', 'x', '--area', 'attic', '--data-dir', dir.path], { cwd: REPO_ROOT, encoding: 'utf8', env });
      assert.match(refused.stderr, /the command line was loaded/);
      const plain = spawnSync(process.execPath, ['bin/agent-blob.js', 'memory', 'search', 'x', '--area', 'attic', '--data-dir', dir.path], { cwd: REPO_ROOT, encoding: 'utf8', env });
      assert.equal(plain.status, 2);
      assert.match(plain.stderr, /--area must be one of main, fragments, solutions, instruments/);
    } finally {
      dir.cleanup();
    }
  });

  it('counts as stale once one of its sources is newer than the build, so an edited checkout never runs old code', async () => {
    if (whyRebuild()) await buildCli();
    assert.equal(whyRebuild(), null);
    const source = join(REPO_ROOT, 'core', 'host', 'cli', 'format.ts');
    const { atime, mtime } = statSync(source);
    try {
      utimesSync(source, atime, new Date(Date.now() + 60_000));
      assert.equal(whyRebuild(), 'core/host/cli/format.ts changed');
    } finally {
      utimesSync(source, atime, mtime);
    }
  });
});
