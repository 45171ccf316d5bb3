import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { buildTests } from '../../scripts/build-tests.mjs';
import { REPO_ROOT } from '../crash/spawn.js';

const FIXTURE = 'tests/scripts/fixtures/located.test.ts';

/** Runs a test file as scripts/run-tests.mjs runs one (its flags, with `--import` in `loader`), TAP out; resolves with the output. */
function runTestFile(loader: string[], file: string): Promise<string> {
  const env: NodeJS.ProcessEnv = { ...process.env, TEST_TIMEOUT_MS: '1000' };
  // This process is itself a test runner's child: the nested run must report as a runner of its own.
  delete env.NODE_TEST_CONTEXT;
  delete env.TEST_TIMES_FILE;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...loader, '--import', './scripts/test-timeouts.mjs', '--test', '--test-reporter=tap', file], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.on('error', reject);
    child.on('exit', () => resolve(out));
  });
}

/** Each failed test's name and the `location` TAP gives it. */
function failures(tap: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of tap.matchAll(/^\s*not ok \d+ - (.+)\n(?:.*\n)*?\s*location: '([^']+)'/gm)) out[m[1]] = m[2];
  return out;
}

const expected = {
  'a failing test': `${join(REPO_ROOT, FIXTURE)}:6:1`,
  'a suite': `${join(REPO_ROOT, FIXTURE)}:12:1`,
  'a failing test inside it': `${join(REPO_ROOT, FIXTURE)}:14:3`,
  'a test that outlives its timeout': `${join(REPO_ROOT, FIXTURE)}:17:3`,
};

describe('the timeout each test gets (scripts/test-timeouts.mjs)', () => {
  it('leaves each failure located at its test in the TypeScript source, built as the runner builds it', async () => {
    const build = await buildTests([FIXTURE]);
    try {
      const tap = await runTestFile(['--enable-source-maps'], build.built[0]);
      assert.deepEqual(failures(tap), expected, tap);
      assert.match(tap, /test timed out after 1000ms/, 'the test that hung failed by its timeout');
      assert.doesNotMatch(tap, /test-timeouts\.mjs|dist\/test-build/, tap);
    } finally {
      rmSync(build.outdir, { recursive: true, force: true });
    }
  });

  it('leaves each failure located at its test when the TypeScript runs through tsx (TEST_BUILD=0)', async () => {
    const tap = await runTestFile(['--import', 'tsx'], FIXTURE);
    assert.deepEqual(failures(tap), expected, tap);
    assert.match(tap, /test timed out after 1000ms/, 'the test that hung failed by its timeout');
    assert.doesNotMatch(tap, /test-timeouts\.mjs/, tap);
  });
});
