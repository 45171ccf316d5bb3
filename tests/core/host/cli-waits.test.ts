import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { REPO_ROOT } from '../../crash/spawn.js';
import { AnthropicLoopback, tempDir } from '../../support/index.js';
import { runCli } from './cli-support.js';

/** Runs the real `agent-blob` in a child process (no terminal) and collects what it printed and its exit code. */
async function agentBlob(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/agent-blob.js', ...args], { cwd: REPO_ROOT, env: { ...process.env, NODE_OPTIONS: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, stdout, stderr };
}

describe('agent-blob chat while the run waits on a timer', () => {
  let anthropic: AnthropicLoopback;
  const dir = tempDir();
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(async () => {
    await anthropic.close();
    dir.cleanup();
  });
  const env = () => ({ ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url });

  it('waits out a provider retry backoff, says so, and ends with the reply and exit 0 (not 13 with nothing printed)', async () => {
    anthropic.script({ kind: 'error', status: 529, type: 'overloaded_error', message: 'busy', headers: { 'retry-after': '1' } }, { kind: 'stream', chunks: ['Hello after the wait.'] });
    const r = await agentBlob(['chat', 'hi', '--data-dir', dir.path], env());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Hello after the wait\./);
    assert.match(r.stderr, /waiting: .*retrying .* in 1 s/);
    const runs = await runCli(['runs', 'list', '--json', '--data-dir', dir.path], env());
    assert.equal(runs.code, 0, runs.stderr);
    assert.deepEqual((JSON.parse(runs.stdout) as { runs: { status: string }[] }).runs.map((run) => run.status), ['done'], 'the run finished; it was not left to be marked interrupted');
  });

  it('waits for a permission nobody can answer here, says how to answer, and ends when it expires', async () => {
    const config = await agentBlob(['permissions', 'config', '--expiry-seconds', '1', '--data-dir', dir.path], env());
    assert.equal(config.code, 0, config.stderr);
    anthropic.script({ kind: 'stream', toolCalls: [{ name: 'write_text', arguments: { path: 'note.txt', text: 'x' } }] }, { kind: 'stream', chunks: ['I could not write it.'] });
    const r = await agentBlob(['chat', 'write a note', '--data-dir', dir.path], env());
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /waiting for permission: write_text/);
    assert.match(r.stderr, /agent-blob permissions answer perm_\S+ allow\|deny/);
    assert.match(r.stdout, /I could not write it\./);
  });
});
