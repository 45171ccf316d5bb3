import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { AnthropicLoopback, tempDir } from '../../support/index.js';
import { runCli } from '../host/cli-support.js';

describe('agent-blob runs show and runs replay', () => {
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
  const cli = (args: string[]) => runCli([...args, '--data-dir', dir.path], env());

  it('runs show --json reports the usage the server sent, and runs replay reports a match', async () => {
    anthropic.script(
      { kind: 'stream', toolCalls: [{ name: 'current_time', arguments: {} }], usage: { input: 120, output: 30 } },
      { kind: 'stream', chunks: ['It is time.'], usage: { input: 200, output: 8 } },
    );
    const chat = await cli(['chat', 'what time is it', '--json']);
    assert.equal(chat.code, 0, chat.stderr);
    const runId = (JSON.parse(chat.stdout) as { runId: string }).runId;
    const shown = await cli(['runs', 'show', runId, '--json']);
    assert.equal(shown.code, 0, shown.stderr);
    const body = JSON.parse(shown.stdout) as { usage: { total: { inputTokens: number; outputTokens: number } }; toolCalls: { tool: string; ok: boolean }[] };
    assert.deepEqual(body.usage.total.inputTokens, 320);
    assert.deepEqual(body.usage.total.outputTokens, 38);
    assert.deepEqual(body.toolCalls.map((c) => [c.tool, c.ok]), [['current_time', true]]);
    const text = await cli(['runs', 'show', runId]);
    assert.match(text.stdout, /tokens: 320 in, 38 out/);
    const replay = await cli(['runs', 'replay', runId]);
    assert.equal(replay.code, 0, replay.stdout + replay.stderr);
    assert.match(replay.stdout, /matches/);
    const missing = await cli(['runs', 'replay', 'run_nope']);
    assert.notEqual(missing.code, 0);
  });
});
