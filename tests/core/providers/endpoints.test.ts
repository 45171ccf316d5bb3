import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AppError } from '../../../core/contract/index.js';
import { chat } from '../agent/helpers.js';
import { startTestCore, tempDir, useLoopbackProviders } from '../../support/index.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]));
}

describe('OpenAI-compatible endpoints in a running core', () => {
  const servers = useLoopbackProviders();

  it('an endpoint added by name answers chat with its models; its key reaches the server and no file of the data folder but the secret store', async () => {
    const key = `sk-or-v1-${'Lm4t'.repeat(12)}`;
    const dir = tempDir();
    // The real file secret store and file logger, as the apps use them.
    const t = await startTestCore({ dataDir: dir.path, secrets: undefined, logger: undefined, env: servers.env({ OPENAI_API_KEY: undefined, OPENAI_BASE_URL: undefined }) });
    try {
      const settings = await t.client.call('providers.endpoint.save', { name: 'openrouter', baseUrl: `${servers.openai.baseUrl}/`, apiKey: key });
      assert.deepEqual(settings.providers.endpoints, [{ name: 'openrouter', baseUrl: servers.openai.baseUrl, apiKeySource: 'settings' }]);
      assert.ok(!JSON.stringify(settings).includes(key), 'settings never carry the key');

      servers.openai.script(
        {
          kind: 'stream',
          chunks: ['Checking both.'],
          toolCalls: [
            { id: 'call_a', name: 'current_time', arguments: { zone: 'UTC' } },
            { id: 'call_b', name: 'current_time', arguments: { zone: 'Asia/Tokyo' } },
          ],
          usage: { input: 300, output: 40 },
        },
        { kind: 'stream', chunks: ['It is ', 'late in ', 'Tokyo.'], usage: { input: 420, output: 9 } },
      );
      const before = servers.openai.requests.length;
      const { run, events } = await chat(t, 'what time is it in UTC and Tokyo?', 'openrouter:meta-llama/llama-3.1-8b-instruct:free');
      assert.equal(run.status, 'done', run.error ?? '');
      assert.equal(run.model, 'openrouter:meta-llama/llama-3.1-8b-instruct:free');
      const requests = servers.openai.requests.slice(before);
      assert.equal(requests.length, 2);
      assert.ok(requests.every((r) => r.headers.authorization === `Bearer ${key}`));
      assert.equal((requests[0].body as { model: string }).model, 'meta-llama/llama-3.1-8b-instruct:free');
      const tools = events.filter((e) => e.type === 'tool.completed').map((e) => e.type === 'tool.completed' && [e.data.tool, e.data.ok]);
      assert.deepEqual(tools, [
        ['current_time', true],
        ['current_time', true],
      ]);
      const second = requests[1].body as { messages: { role: string; tool_call_id?: string }[] };
      assert.deepEqual(
        second.messages.filter((m) => m.role === 'tool').map((m) => m.tool_call_id),
        ['call_a', 'call_b'],
      );
      const reply = events.filter((e) => e.type === 'message.completed').at(-1);
      assert.equal(reply?.type === 'message.completed' && reply.data.text, 'It is late in Tokyo.');

      const shown = await t.client.call('runs.show', { runId: run.id });
      assert.deepEqual([shown.usage.total.inputTokens, shown.usage.total.outputTokens, shown.usage.estimated], [720, 49, false]);
      const replay = await t.client.call('runs.replay', { runId: run.id });
      assert.equal(replay.matches, true, JSON.stringify(replay.firstDifference));

      t.core.logger.log('warn', `a careless log line with ${key}`);
      await t.close({ keepData: true });
      for (const file of filesUnder(dir.path)) {
        const holds = readFileSync(file).includes(Buffer.from(key.slice(10, 40)));
        assert.equal(holds, file === join(dir.path, 'secrets.json'), `${file} ${holds ? 'holds' : 'lacks'} the key`);
      }
    } finally {
      await t.close();
      dir.cleanup();
    }
  });

  it('usage a server does not report is estimated, and the run says so', async () => {
    const t = await startTestCore({ env: servers.env() });
    try {
      await t.client.call('providers.endpoint.save', { name: 'llamacpp', baseUrl: servers.openai.baseUrl });
      servers.openai.script({ kind: 'stream', chunks: ['no usage from me'], usageOmitted: true });
      const { run, events } = await chat(t, 'hello', 'llamacpp:local');
      assert.equal(run.status, 'done', run.error ?? '');
      const usage = events.find((e) => e.type === 'run.usage');
      assert.ok(usage?.type === 'run.usage' && usage.data.estimated === true && usage.data.inputTokens > 0);
      const shown = await t.client.call('runs.show', { runId: run.id });
      assert.equal(shown.usage.estimated, true);
      assert.deepEqual(shown.usage.byModel.map((m) => [m.model, m.responses, m.estimated]), [['llamacpp:local', 1, 1]]);
      assert.equal(shown.usage.total.costUsd, 0, 'an unknown model of a local endpoint costs nothing by default');
      assert.equal((await t.client.call('runs.replay', { runId: run.id })).matches, true);
    } finally {
      await t.close();
    }
  });

  it('lists an endpoint’s models, tests it, and refuses bad endpoints, unknown providers and taken names with typed errors', async () => {
    const t = await startTestCore({ env: servers.env() });
    try {
      servers.openai.models = ['qwen2.5-7b-instruct', 'text-embedding-nomic'];
      await t.client.call('providers.endpoint.save', { name: 'lmstudio', baseUrl: servers.openai.baseUrl });
      assert.deepEqual(await t.client.call('providers.models', { provider: 'lmstudio' }), { provider: 'lmstudio', models: ['lmstudio:qwen2.5-7b-instruct', 'lmstudio:text-embedding-nomic'] });
      assert.deepEqual((await t.client.call('providers.models', { provider: 'openai' })).models, ['openai:qwen2.5-7b-instruct', 'openai:text-embedding-nomic']);
      const tested = await t.client.call('providers.test', { provider: 'lmstudio' });
      assert.equal(tested.ok, true);
      assert.match(tested.detail, /reachable at .*2 model\(s\)/);

      const code = (p: Promise<unknown>) => p.then(() => 'ok', (err: AppError) => err.code);
      assert.equal(await code(t.client.call('providers.endpoint.save', { name: 'openai', baseUrl: servers.openai.baseUrl })), 'invalid_input');
      assert.equal(await code(t.client.call('providers.endpoint.save', { name: 'LM Studio', baseUrl: servers.openai.baseUrl })), 'invalid_input');
      assert.equal(await code(t.client.call('providers.endpoint.save', { name: 'vllm', baseUrl: 'not a url' })), 'invalid_input');
      assert.equal(await code(t.client.call('providers.endpoint.save', { name: 'vllm', baseUrl: 'ftp://127.0.0.1/v1' })), 'invalid_input');
      assert.equal(await code(t.client.call('providers.models', { provider: 'vllm' })), 'not_found');
      assert.equal(await code(t.client.call('chat.send', { text: 'hi', model: 'vllm:some-model' })), 'invalid_input');
      assert.equal(await code(t.client.call('providers.endpoint.remove', { name: 'vllm' })), 'not_found');
      assert.equal((await t.client.call('settings.get', {})).providers.endpoints.length, 1, 'nothing was added by the refused calls');

      const down = await t.client.call('providers.endpoint.save', { name: 'vllm', baseUrl: 'http://127.0.0.1:9/v1' });
      assert.deepEqual(down.providers.endpoints.map((e) => e.name), ['lmstudio', 'vllm']);
      assert.equal(await code(t.client.call('providers.models', { provider: 'vllm' })), 'unavailable');
      const removed = await t.client.call('providers.endpoint.remove', { name: 'vllm' });
      assert.deepEqual(removed.providers.endpoints.map((e) => e.name), ['lmstudio']);
    } finally {
      await t.close();
    }
  });

  it('doctor checks every provider and each added endpoint: the chat model’s provider down fails, another down warns, a route to a missing provider fails', async () => {
    const t = await startTestCore({ env: servers.env() });
    try {
      await t.client.call('providers.endpoint.save', { name: 'lmstudio', baseUrl: servers.openai.baseUrl });
      await t.client.call('providers.endpoint.save', { name: 'vllm', baseUrl: 'http://127.0.0.1:9/v1' });
      await t.client.call('settings.update', { chatModel: 'lmstudio:qwen' });
      const first = await t.client.call('system.doctor', {});
      const byName = (r: typeof first, name: string) => r.checks.find((c) => c.name.startsWith(`provider ${name}`));
      assert.equal(byName(first, 'lmstudio (chat model qwen)')?.status, 'ok');
      assert.equal(byName(first, 'openai')?.status, 'ok');
      assert.equal(byName(first, 'vllm')?.status, 'warn');
      assert.match(byName(first, 'vllm')!.detail, /cannot reach vllm/);
      assert.deepEqual(first.checks.filter((c) => c.status === 'fail'), [], 'an unused endpoint that is down is a warning');
      assert.equal(first.ok, true);

      await t.client.call('settings.update', { chatModel: 'vllm:mistral' });
      await t.client.call('agent.settings.update', { routes: { worker: ['gone:model'] } });
      const second = await t.client.call('system.doctor', {});
      assert.equal(second.ok, false);
      assert.equal(byName(second, 'vllm (chat model mistral)')?.status, 'fail');
      const gone = byName(second, 'gone');
      assert.equal(gone?.status, 'fail');
      assert.match(gone!.detail, /no provider named "gone".*used by: gone:model/);
    } finally {
      await t.close();
    }
  });
});

describe('model lists of the built-in providers', () => {
  const servers = useLoopbackProviders();

  it('Anthropic and Ollama list their models too, as provider:model references', async () => {
    const t = await startTestCore({ env: servers.env() });
    try {
      servers.ollama.models = ['llama3.2:latest', 'nomic-embed-text:latest'];
      assert.deepEqual(await t.client.call('providers.models', { provider: 'anthropic' }), { provider: 'anthropic', models: ['anthropic:claude-loopback'] });
      assert.deepEqual(await t.client.call('providers.models', { provider: 'ollama' }), { provider: 'ollama', models: ['ollama:llama3.2:latest', 'ollama:nomic-embed-text:latest'] });
    } finally {
      await t.close();
    }
  });
});
