import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { useLoopbackProviders, chunk, startTestCore, type ScriptedReply } from '../../support/index.js';
import { chat, workspace } from './helpers.js';

describe('record and replay', () => {
  const providers = useLoopbackProviders();

  it('replays 20 recorded runs (tool errors, a fallback, a provider failure) and reproduces their event sequences exactly, without network or side effects', async () => {
    const t = await startTestCore({ env: providers.env() });
    try {
      const root = workspace(t, { 'a.txt': 'alpha', 'b.txt': 'beta' });
      await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'fs.write', pattern: `${root}/**` });
      await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'notify', pattern: '*' });
      await t.client.call('agent.settings.update', { routes: { chat: ['anthropic:claude-a', 'ollama:llama3.2'] } });
      const text = (s: string): ScriptedReply => ({ kind: 'stream', chunks: chunk(s, 3), usage: { input: 40, output: 9 } });
      const tools = (...calls: { name: string; arguments: unknown }[]): ScriptedReply => ({ kind: 'stream', toolCalls: calls, usage: { input: 50, output: 12 } });
      const overloaded = { kind: 'error', status: 529, type: 'overloaded_error', message: 'busy', headers: { 'retry-after': '0' } } as const;
      const scripts: (() => void)[] = [
        () => providers.anthropic.script(text('plain answer')),
        () => providers.anthropic.script(tools({ name: 'list_dir', arguments: { path: '.' } }), text('two files')),
        () => providers.anthropic.script(tools({ name: 'read_text', arguments: { path: 'missing.txt' } }), text('no such file')),
        () => providers.anthropic.script(tools({ name: 'read_text', arguments: { path: 'a.txt' } }, { name: 'read_text', arguments: { path: 'b.txt' } }), text('alpha and beta')),
        () => providers.anthropic.script(tools({ name: 'read_text', arguments: '{"path": "a.txt"' }), text('repaired')),
        () => providers.anthropic.script(tools({ name: 'read_text', arguments: '{{{' }), tools({ name: 'read_text', arguments: { path: 'a.txt' } }), text('second try')),
        () => providers.anthropic.script(tools({ name: 'read_text', arguments: { path: '/etc/passwd' } }), text('denied')),
        () => providers.anthropic.script(tools({ name: 'search_files', arguments: { query: 'alp' } }), text('found')),
        () => providers.anthropic.script(tools({ name: 'current_time', arguments: {} }), text('it is now')),
        () => providers.anthropic.script(tools({ name: 'write_text', arguments: { path: 'c.txt', text: 'gamma' } }), text('written')),
        () => providers.anthropic.script(tools({ name: 'no_such_tool', arguments: {} }), text('oops')),
        () => {
          providers.anthropic.script(overloaded, overloaded, overloaded);
          providers.ollama.script({ kind: 'stream', chunks: ['local fallback'], usage: { input: 30, output: 3 } });
        },
        // The first model is cooling down now: these go straight to the fallback.
        () => providers.ollama.script({ kind: 'stream', toolCalls: [{ name: 'list_dir', arguments: { path: '.' } }] }, { kind: 'stream', chunks: ['local tools'] }),
        () => providers.ollama.script({ kind: 'stream', chunks: ['local again'] }),
        () => providers.ollama.script({ kind: 'error', status: 400, message: 'bad request' }),
        () => providers.ollama.script({ kind: 'stream', toolCalls: [{ name: 'read_text', arguments: { path: 'c.txt' } }] }, { kind: 'stream', chunks: ['gamma read'] }),
        () => providers.ollama.script({ kind: 'stream', toolCalls: [{ name: 'read_text', arguments: { path: 5 } }] }, { kind: 'stream', chunks: ['coerced'] }),
        () => providers.ollama.script({ kind: 'stream', chunks: chunk('a longer answer that streams in many small pieces', 2) }),
        () => providers.ollama.script({ kind: 'stream', toolCalls: [{ name: 'notify', arguments: { title: 'hi' } }] }, { kind: 'stream', chunks: ['no notifier'] }),
        () => providers.ollama.script({ kind: 'stream', toolCalls: [{ name: 'list_dir', arguments: { path: 'nowhere' } }] }, { kind: 'stream', chunks: ['not found'] }),
      ];
      const runIds: string[] = [];
      for (const [i, script] of scripts.entries()) {
        script();
        const { run } = await chat(t, `question ${i}`);
        runIds.push(run.id);
      }
      assert.equal(runIds.length, 20);
      const statuses = await Promise.all(runIds.map((runId) => t.client.call('runs.get', { runId })));
      assert.ok(statuses.some((r) => r.status === 'failed'), 'a failed run is among them');
      assert.ok(statuses.some((r) => r.model === 'ollama:llama3.2'), 'a fallback is among them');
      const events = t.events.filter((e) => runIds.includes(e.runId ?? ''));
      assert.ok(events.some((e) => e.type === 'tool.completed' && !e.data.ok), 'a tool error is among them');
      assert.ok(events.some((e) => e.type === 'provider.fallback'));

      const requestsBefore = providers.anthropic.requests.length + providers.ollama.requests.length;
      const headBefore = t.core.log.head();
      for (const runId of runIds) {
        const result = await t.client.call('runs.replay', { runId });
        assert.equal(result.matches, true, `${runId}: ${JSON.stringify(result.firstDifference)}`);
        assert.ok(result.expectedEvents >= 2);
      }
      assert.equal(providers.anthropic.requests.length + providers.ollama.requests.length, requestsBefore, 'replay reached no provider');
      assert.equal(t.core.log.head(), headBefore, 'replay appended nothing');

      // The history is recorded once, with the input; model steps add only what is new.
      const steps = t.core.db.prepare('SELECT kind, data FROM agent_recordings WHERE run_id = ? ORDER BY step').all(runIds[19]) as { kind: string; data: string }[];
      assert.equal(steps[0].kind, 'input');
      assert.ok(steps[0].data.includes('question 0'));
      const firstModel = steps.find((s) => s.kind === 'model')!;
      assert.ok(!firstModel.data.includes('question 0'), 'the first model step does not repeat the history');
      assert.match(firstModel.data, /"fromInput":true/);

      // A replay that cannot match says where: change one recorded tool result.
      t.core.db.prepare("UPDATE agent_recordings SET data = replace(data, 'alpha', 'ALPHA') WHERE run_id = ? AND kind = 'tool'").run(runIds[3]);
      const broken = await t.client.call('runs.replay', { runId: runIds[3] });
      assert.equal(broken.matches, false);
      assert.match(broken.firstDifference?.actual ?? '', /ALPHA/);
    } finally {
      await t.close();
    }
  });
});
