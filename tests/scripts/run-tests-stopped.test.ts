import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO_ROOT } from '../crash/spawn.js';
import { alive, pidIn, tempDir, waitFor } from '../support/index.js';

const FIXTURE = 'tests/scripts/fixtures/holds-a-host.test.ts';

describe('a test run that is stopped (scripts/run-tests.mjs)', () => {
  for (const [how, signal] of [
    ['its shell is killed with SIGTERM, as npm passes a SIGTERM on', 'SIGTERM'],
    ['its shell is killed with SIGKILL', 'SIGKILL'],
  ] as const) {
    it(`ends with the hosts its tests started when ${how}`, async () => {
      const dir = tempDir();
      try {
        const env: NodeJS.ProcessEnv = { ...process.env, HOST_PID_FILE: join(dir.path, 'host.pid'), TEST_TIMES_FILE: join(dir.path, 'times.jsonl') };
        // This process is itself a test runner's child: the nested run must report as a runner of its own.
        delete env.NODE_TEST_CONTEXT;
        // As npm runs a script: a shell that runs the runner as its child (`; true` keeps it from exec'ing it).
        const shell = spawn('sh', ['-c', `node scripts/run-tests.mjs ${FIXTURE}; true`], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        shell.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
        shell.stderr.setEncoding('utf8').on('data', (c: string) => (out += c));
        const host = await waitFor(() => pidIn(join(dir.path, 'host.pid')), 'the test in the run to start its host');
        assert.ok(alive(host), 'the host runs while the test run does');
        shell.kill(signal);
        await waitFor(() => !alive(host), `the host to end with the run: ${out}`);
        await waitFor(() => out.includes('the run was stopped'), `the runner to say it stopped the run: ${out}`);
      } finally {
        dir.cleanup();
      }
    });
  }
});
