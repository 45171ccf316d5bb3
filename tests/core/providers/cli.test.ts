import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TEST_OPENAI_KEY, chunk, tempDir, useLoopbackProviders } from '../../support/index.js';
import { runCli } from '../host/cli-support.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('agent-blob chat with an OpenAI-compatible model', () => {
  const servers = useLoopbackProviders();

  it('chat --model openai:MODEL with OPENAI_BASE_URL streams the reply, runs show has its tokens, and the key is in no file of the data folder', async () => {
    const dir = tempDir();
    try {
      const env = { OPENAI_API_KEY: TEST_OPENAI_KEY, OPENAI_BASE_URL: servers.openai.baseUrl };
      const cli = (args: string[]) => runCli([...args, '--data-dir', dir.path], env);
      servers.openai.script({ kind: 'stream', chunks: chunk('Hello from gpt-loop over the wire.', 4), delayMs: 1, usage: { input: 57, output: 12 } });
      const before = servers.openai.requests.length;
      const chat = await cli(['chat', 'say hello', '--model', 'openai:gpt-loop']);
      assert.equal(chat.code, 0, chat.stderr);
      assert.equal(chat.stdout, 'Hello from gpt-loop over the wire.\n');
      const sent = servers.openai.requests[before];
      assert.equal((sent.body as { model: string }).model, 'gpt-loop');
      assert.equal(sent.headers.authorization, `Bearer ${TEST_OPENAI_KEY}`);

      const list = await cli(['runs', 'list', '--json']);
      const runId = (JSON.parse(list.stdout) as { runs: { id: string }[] }).runs[0].id;
      const shown = await cli(['runs', 'show', runId]);
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /model: openai:gpt-loop/);
      assert.match(shown.stdout, /tokens: 57 in, 12 out/);
      assert.doesNotMatch(shown.stdout, /estimated/);

      servers.openai.script({ kind: 'stream', chunks: ['no usage here'], usageOmitted: true });
      const second = await cli(['chat', 'again', '--model', 'openai:gpt-loop', '--json']);
      const secondId = (JSON.parse(second.stdout) as { runId: string }).runId;
      assert.match((await cli(['runs', 'show', secondId])).stdout, /\(estimated: the server reported no usage\)/);

      for (const file of filesUnder(dir.path)) assert.equal(readFileSync(file).indexOf(Buffer.from(TEST_OPENAI_KEY)), -1, `the key is in ${file}`);
    } finally {
      dir.cleanup();
    }
  });

  it('chat with a model of a provider nobody added exits with a readable error', async () => {
    const dir = tempDir();
    try {
      const r = await runCli(['chat', 'hi', '--model', 'lmstudio:qwen', '--data-dir', dir.path], { OPENAI_BASE_URL: servers.openai.baseUrl });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /no provider named "lmstudio"/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    } finally {
      dir.cleanup();
    }
  });
});
