import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useLoopbackProviders, chunk, startTestCore, lastChatRequest, systemPromptOf, type TestCore } from '../../support/index.js';
import { agentExecutor } from '../../../core/agent/index.js';
import { chat, toolEvents, workspace } from './helpers.js';

describe('the agent loop through the real SDKs', () => {
  const providers = useLoopbackProviders();
  const start = () => startTestCore({ env: providers.env() });

  for (const wire of ['anthropic', 'ollama'] as const) {
    it(`a three-step tool loop (list_dir, read_text, answer) completes on the ${wire} wire format with tool cards in the timeline`, async () => {
      const t: TestCore = await start();
      const server = wire === 'anthropic' ? providers.anthropic : providers.ollama;
      try {
        workspace(t, { 'notes.txt': 'the meeting moved to Thursday' });
        server.script(
          { kind: 'stream', chunks: ['Let me look.'], toolCalls: [{ name: 'list_dir', arguments: { path: '.' } }] },
          { kind: 'stream', toolCalls: [{ name: 'read_text', arguments: { path: 'notes.txt' } }] },
          { kind: 'stream', chunks: chunk('Your note says the meeting moved to Thursday.', 5) },
        );
        const before = server.requests.length;
        const { run } = await chat(t, 'what do my notes say?', wire === 'ollama' ? 'ollama:llama3.2' : undefined);
        assert.equal(run.status, 'done', run.error ?? '');
        assert.equal(server.requests.length - before, 3);

        const { items } = await t.client.call('timeline.list', {});
        const cards = items.filter((i) => i.kind === 'tool_call');
        assert.deepEqual(cards.map((c) => c.kind === 'tool_call' && [c.tool, c.status]), [['list_dir', 'ok'], ['read_text', 'ok']]);
        const [list, read] = cards as Extract<typeof cards[number], { kind: 'tool_call' }>[];
        assert.equal(list.output, 'notes.txt');
        assert.equal(JSON.parse(read.args).path, 'notes.txt');
        assert.equal(read.output, 'the meeting moved to Thursday');
        const last = items.filter((i) => i.kind === 'message').at(-1)!;
        assert.equal(last.kind === 'message' && last.text, 'Your note says the meeting moved to Thursday.');

        // The tool results went back to the model in its own wire format.
        const third = JSON.stringify(lastChatRequest(server).body);
        assert.ok(third.includes('the meeting moved to Thursday'));
        if (wire === 'anthropic') assert.ok(third.includes('"tool_result"') && third.includes('"tool_use_id"'));
        else assert.ok(third.includes('"role":"tool"'));
        // The model saw the tools as JSON schema.
        const tools = (lastChatRequest(server).body as { tools: unknown[] }).tools;
        assert.ok(Array.isArray(tools) && tools.length >= 8);
      } finally {
        await t.close();
      }
    });
  }

  it('bad tool arguments (broken JSON, wrong types, missing fields, unknown tools) never crash the run', async () => {
    const t = await start();
    try {
      workspace(t, { 'a.txt': 'alpha', '5': 'five' });
      providers.anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'read_text', arguments: '{"path": "a.txt"' }] },
        { kind: 'stream', toolCalls: [{ name: 'read_text', arguments: { path: 5 } }] },
        { kind: 'stream', toolCalls: [{ name: 'read_text', arguments: { file: 'a.txt' } }] },
        { kind: 'stream', toolCalls: [{ name: 'write_text', arguments: '{{{ not json at all' }, { name: 'no_such_tool', arguments: {} }] },
        { kind: 'stream', toolCalls: [{ name: 'read_text', arguments: '[1, 2' }] },
        { kind: 'stream', chunks: ['Done despite the mess.'] },
      );
      const { run, events } = await chat(t, 'read things');
      assert.equal(run.status, 'done', run.error ?? '');
      const results = toolEvents(events).map((r) => (r.ok ? `ok:${r.output}` : `err:${r.error!.code}`));
      assert.deepEqual(results, ['ok:alpha', 'ok:five', 'err:invalid_args', 'err:invalid_args', 'err:not_found', 'err:invalid_args']);
      // The second invalid call in a row withdraws the tool: the model is told, and no longer offered it.
      const lastError = toolEvents(events).at(-1)!.error!.message;
      assert.match(lastError, /withdrawn/);
      const offered = (lastChatRequest(providers.anthropic).body as { tools: { name: string }[] }).tools.map((x) => x.name);
      assert.ok(!offered.includes('read_text'));
      assert.ok(offered.includes('list_dir'));
    } finally {
      await t.close();
    }
  });

  it('a tool outside the allowed folders is denied by the permission gate and the model sees the denial', async () => {
    const t = await start();
    try {
      workspace(t);
      providers.anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'read_text', arguments: { path: '/etc/hostname' } }] },
        { kind: 'stream', chunks: ['I may not read that.'] },
      );
      const { run, events } = await chat(t, 'read /etc/hostname');
      assert.equal(run.status, 'done');
      const [result] = toolEvents(events);
      assert.equal(result.ok, false);
      assert.equal(result.error!.code, 'denied');
      assert.ok(events.some((e) => e.type.startsWith('permission.')), 'the gate recorded its decision');
      assert.ok(JSON.stringify(lastChatRequest(providers.anthropic).body).includes('permission denied'));
    } finally {
      await t.close();
    }
  });

  it('a worker-style run uses its own conversation, its role\'s tools and the worker model chain, not the master timeline', async () => {
    const t = await start();
    try {
      providers.anthropic.script({ kind: 'stream', chunks: ['master reply'] });
      await chat(t, 'a master conversation message');
      await t.client.call('agent.settings.update', { routes: { worker: ['ollama:llama3.2'] } });
      providers.ollama.script({ kind: 'stream', toolCalls: [{ name: 'current_time', arguments: {} }] }, { kind: 'stream', chunks: ['task done'] });
      const runId = t.core.log.transaction(() => t.core.runs.create({ kind: 'worker', title: 'a task' }));
      const run = await t.core.runs.start(
        runId,
        agentExecutor(t.core.agent, { purpose: 'worker', userMessageSeq: 0, messages: [{ role: 'user', content: 'do the task' }], allowedTools: ['current_time'], sections: [{ title: 'Role', body: 'You are a researcher.' }] }),
      );
      assert.equal(run.status, 'done');
      assert.equal(run.model, 'ollama:llama3.2');
      const body = providers.ollama.requests.find((r) => systemPromptOf(r.body).includes('You are a researcher'))!.body as { messages: { role: string; content: string }[]; tools: { function: { name: string } }[] };
      assert.deepEqual(body.tools.map((x) => x.function.name), ['current_time']);
      assert.equal(body.messages[0].role, 'system');
      assert.match(body.messages[0].content, /You are a researcher/);
      assert.equal(body.messages[1].content, 'do the task');
      assert.ok(!JSON.stringify(body).includes('master conversation'));
    } finally {
      await t.close();
    }
  });

  it('stops at the turn limit with reason turn_limit', async () => {
    const t = await start();
    try {
      workspace(t);
      await t.client.call('agent.settings.update', { maxTurns: 2 });
      providers.anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'current_time', arguments: {} }] },
        { kind: 'stream', toolCalls: [{ name: 'current_time', arguments: {} }] },
        { kind: 'stream', chunks: ['never reached'] },
      );
      const { run } = await chat(t, 'loop forever');
      assert.equal(run.status, 'failed');
      assert.equal(run.reason, 'turn_limit');
      assert.equal(providers.anthropic.pending(), 1);
      providers.anthropic.nextReply();
    } finally {
      await t.close();
    }
  });
});
