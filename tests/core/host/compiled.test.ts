import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildCli, whyRebuild } from '../../../scripts/build-cli.mjs';
import { REPO_ROOT, spawnUntilReady } from '../../crash/spawn.js';
import { tempDir } from '../../support/index.js';

// Loaded into the child before anything else: fails any attempt to load a TypeScript file.
const NO_TYPESCRIPT_HOOKS = `export async function load(url, context, next) {
  if (/\\.tsx?$/.test(new URL(url).pathname)) throw new Error('TypeScript loaded at run time: ' + url);
  return next(url, context);
}`;
const NO_TYPESCRIPT = `data:text/javascript,${encodeURIComponent(
  `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(NO_TYPESCRIPT_HOOKS)}`)});`,
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
