import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { z } from 'zod';
import type { Run } from '../../../core/contract/index.js';
import { argsSchemaFor, compileInputSchema, defineTool, type AnyTool, type ToolsChange } from '../../../core/tools/index.js';
import { AnthropicLoopback, gate, startTestCore, waitFor, type TestCore } from '../../support/index.js';

/** The tool names a request to the model offered. */
const offered = (body: unknown) => ((body as { tools?: { name: string }[] }).tools ?? []).map((t) => t.name);

/** A tool that says back what it is given, and notes each call. */
function echoTool(name: string, calls: string[]): AnyTool {
  return defineTool({
    name,
    description: `Says back the text it is given (${name}).`,
    args: z.object({ text: z.string().min(1) }).strict(),
    capability: null,
    resource: () => '',
    async run(args) {
      calls.push(`${name}:${args.text}`);
      return { text: `${name} heard ${args.text}` };
    },
  });
}

describe('the live tool registry and runs', () => {
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(() => anthropic.close());
  beforeEach(() => assert.equal(anthropic.pending(), 0, 'a test left scripted replies behind'));
  const start = () => startTestCore({ env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url } });
  const ended = async (t: TestCore, runId: string): Promise<Run> => {
    await waitFor(async () => ['done', 'failed', 'cancelled'].includes((await t.client.call('runs.get', { runId })).status), 'the run to end');
    return t.client.call('runs.get', { runId });
  };

  it('a tool registered while a run is running is not offered to that run and is offered to the next; one removed meanwhile stays in the first run and leaves the next; both replay exactly once the tools are gone', async () => {
    const t = await start();
    try {
      const calls: string[] = [];
      t.core.tools.add(echoTool('old_echo', calls), 'server-a');
      const changes: ToolsChange[] = [];
      t.core.tools.onChange((change) => changes.push(change));
      const held = gate();
      anthropic.script(
        { kind: 'stream', chunks: ['Let me ', 'check.'], holdLastChunk: held.promise, toolCalls: [{ name: 'old_echo', arguments: { text: 'one' } }] },
        { kind: 'stream', chunks: ['First done.'] },
        { kind: 'stream', toolCalls: [{ name: 'new_echo', arguments: { text: 'two' } }] },
        { kind: 'stream', chunks: ['Second done.'] },
      );
      const from = anthropic.requests.length;
      const first = await t.client.call('chat.send', { text: 'first question' });
      await waitFor(() => anthropic.requests.length > from, 'the first run to ask its model');
      // While the first run's model is still answering: one server adds a tool, another's goes away.
      t.core.tools.add(echoTool('new_echo', calls), 'server-b');
      assert.deepEqual(t.core.tools.remove('old_echo'), ['old_echo']);
      assert.deepEqual(changes, [
        { added: ['new_echo'], removed: [], owner: 'server-b' },
        { added: [], removed: ['old_echo'], owner: 'server-a' },
      ]);
      held.open();
      assert.equal((await ended(t, first.runId)).status, 'done');
      const second = await t.client.call('chat.send', { text: 'second question' });
      assert.equal((await ended(t, second.runId)).status, 'done');

      const requests = anthropic.requests.slice(from).map((r) => offered(r.body));
      assert.equal(requests.length, 4);
      for (const tools of requests.slice(0, 2)) {
        assert.ok(tools.includes('old_echo'), 'the first run keeps the tools it started with, on every model request');
        assert.ok(!tools.includes('new_echo'), 'a tool added mid-run is not offered to that run');
      }
      for (const tools of requests.slice(2)) {
        assert.ok(tools.includes('new_echo'), 'the next run is offered the new tool');
        assert.ok(!tools.includes('old_echo'), 'the next run is not offered the removed tool');
      }
      assert.deepEqual(calls, ['old_echo:one', 'new_echo:two'], 'the first run called the tool of its snapshot');

      // The snapshot is recorded with each run.
      const recordedTools = (runId: string) => {
        const data = t.core.db.prepare("SELECT data FROM agent_recordings WHERE run_id = ? AND kind = 'input'").pluck().get(runId) as string;
        return (JSON.parse(data) as { config: { tools: string[] } }).config.tools;
      };
      assert.ok(recordedTools(first.runId).includes('old_echo') && !recordedTools(first.runId).includes('new_echo'));
      assert.ok(recordedTools(second.runId).includes('new_echo') && !recordedTools(second.runId).includes('old_echo'));

      // Replay reads the tools each run saw from its recording, not from the registry as it is now.
      t.core.tools.removeOwner('server-b');
      const asked = anthropic.requests.length;
      for (const runId of [first.runId, second.runId]) {
        const replay = await t.client.call('runs.replay', { runId });
        assert.equal(replay.matches, true, `${runId}: ${JSON.stringify(replay.firstDifference)}`);
      }
      assert.equal(anthropic.requests.length, asked, 'replay reached no model');
      assert.deepEqual(calls, ['old_echo:one', 'new_echo:two'], 'replay ran no tool');
    } finally {
      await t.close();
    }
  });

  it('a run replays against an MCP-style tool as it saw it: arguments its old schema refused are refused again after the server changed the schema', async () => {
    const t = await start();
    try {
      // A tool described by JSON Schema, checked the way bridged MCP tools are.
      const jsonSchemaTool = (schema: Record<string, unknown>, description: string): AnyTool => {
        const compiled = compileInputSchema(schema);
        assert.ok(compiled.ok);
        return { name: 'mcp__notes__find', description, jsonSchema: schema, args: argsSchemaFor(compiled.validate), capability: 'mcp.notes', resource: () => 'notes/find', run: async () => ({ text: 'found' }) };
      };
      await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'mcp.notes', pattern: '*' });
      t.core.tools.add(jsonSchemaTool({ type: 'object', properties: { query: { type: 'string' } }, required: ['query'], additionalProperties: false }, 'Finds notes.'), 'mcp:notes');
      anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'mcp__notes__find', arguments: { query: 'rent', limit: 3 } }] },
        { kind: 'stream', toolCalls: [{ name: 'mcp__notes__find', arguments: { query: 'rent' } }] },
        { kind: 'stream', chunks: ['Found it.'] },
      );
      const { runId } = await t.client.call('chat.send', { text: 'find my rent note' });
      assert.equal((await ended(t, runId)).status, 'done');
      const completed = t.events.flatMap((e) => (e.type === 'tool.completed' && e.runId === runId ? [e.data] : []));
      assert.deepEqual(completed.map((c) => c.error?.code ?? 'ok'), ['invalid_args', 'ok']);
      // The server now takes a limit too, and describes the tool differently.
      t.core.tools.removeOwner('mcp:notes');
      t.core.tools.add(jsonSchemaTool({ type: 'object', properties: { query: { type: 'string' }, limit: { type: 'number' } }, required: ['query'] }, 'Finds notes, at most limit.'), 'mcp:notes');
      const replay = await t.client.call('runs.replay', { runId });
      assert.equal(replay.matches, true, JSON.stringify(replay.firstDifference));
      // With the server gone altogether, the run still replays.
      t.core.tools.removeOwner('mcp:notes');
      assert.equal((await t.client.call('runs.replay', { runId })).matches, true);
    } finally {
      await t.close();
    }
  });
});
