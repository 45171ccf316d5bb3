import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { tempDir } from '../../support/index.js';
import { runCli } from '../host/cli-support.js';

describe('agent-blob workers', () => {
  const dir = tempDir();
  after(() => dir.cleanup());
  const cli = (args: string[]) => runCli([...args, '--data-dir', dir.path], { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', TZ: 'UTC' });

  it('roles lists the default roles with their tools, memory access and budget, and the pool limits, as text and --json', async () => {
    const json = await cli(['workers', 'roles', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const shown = JSON.parse(json.stdout) as { roles: { name: string; rules: unknown[] }[]; pool: { maxRunning: number; maxDepth: number } };
    assert.deepEqual(shown.roles.map((r) => r.name), ['researcher', 'coder', 'writer']);
    assert.deepEqual(shown.pool, { maxRunning: 3, maxDepth: 2 });
    const text = await cli(['workers', 'roles']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /pool: at most 3 running, nested at most 2 deep/);
    assert.match(text.stdout, /^coder: .*\n {2}model: \(worker route\); memory: none; budget: 400000 tokens/m);
  });

  it('list says there are none, and show and cancel of an unknown worker fail with a clear error', async () => {
    const list = await cli(['workers', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.stdout, 'no workers\n');
    assert.deepEqual(JSON.parse((await cli(['workers', 'list', '--active', '--json'])).stdout), { workers: [] });
    for (const command of ['show', 'cancel']) {
      const r = await cli(['workers', command, 'run_nope']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /no worker run_nope/);
    }
    const missing = await cli(['workers', 'show']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /needs exactly one worker id/);
  });
});
