import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { useLoopbackProviders, startTestCore, type TestCore } from '../../support/index.js';

const WINDOW = 6000;
const REPLY = 'Noted. '.repeat(40);

/** The prompt size the model was sent, estimated the way core estimates (a conservative 3 chars a token). */
function sentTokens(body: unknown): number {
  return Math.ceil(JSON.stringify(body).length / 3);
}

async function converse(t: TestCore, turns: number): Promise<string[]> {
  const failed: string[] = [];
  for (let i = 0; i < turns; i++) {
    const { runId } = await t.client.call('chat.send', { text: `Turn ${i}: remember that item ${i} costs ${i * 3} coins. ${'filler '.repeat(20)}` });
    await t.core.idle();
    const run = await t.client.call('runs.get', { runId });
    if (run.status !== 'done') failed.push(`${i}: ${run.status} ${run.error}`);
  }
  return failed;
}

describe('compaction keeps long conversations inside the context window', () => {
  const providers = useLoopbackProviders();
  before(() => {
    providers.ollama.always({ kind: 'stream', chunks: [REPLY], usage: { input: 100, output: 50 } });
    providers.anthropic.always({ kind: 'error', status: 400, type: 'invalid_request_error', message: 'compaction model is broken' });
  });

  const start = () => startTestCore({ env: providers.env() });

  it('a conversation of 500 turns stays under the context limit through summaries, and the raw turns stay archived', async () => {
    const t = await start();
    try {
      await t.client.call('agent.settings.update', { routes: { chat: ['ollama:llama3.2'] }, contextTokens: { 'ollama:llama3.2': WINDOW }, compactAt: 0.75 });
      const from = providers.ollama.requests.length;
      const failed = await converse(t, 500);
      assert.deepEqual(failed, []);
      const chatRequests = providers.ollama.requests.slice(from).filter((r) => !JSON.stringify(r.body).includes('You compress conversations'));
      assert.equal(chatRequests.length, 500);
      const largest = Math.max(...chatRequests.map((r) => sentTokens(r.body)));
      assert.ok(largest < WINDOW, `largest prompt ${largest} tokens`);
      const compactions = t.events.filter((e) => e.type === 'conversation.compacted');
      assert.ok(compactions.length >= 10, `${compactions.length} compactions`);
      assert.ok(compactions.every((e) => e.type === 'conversation.compacted' && e.data.method === 'summary'));
      // The newest request carries the summary, and the archive holds the raw turns it replaced.
      assert.ok(JSON.stringify(chatRequests.at(-1)!.body).includes('[Summary of the earlier conversation]'));
      // Every turn no longer sent raw is in some compaction's archive, word for word.
      const lastBody = JSON.stringify(chatRequests.at(-1)!.body);
      const firstKept = Array.from({ length: 500 }, (_, i) => i).find((i) => lastBody.includes(`Turn ${i}:`));
      assert.ok(firstKept !== undefined && firstKept > 400, `the last prompt starts its raw turns at turn ${firstKept}`);
      const archive = (t.core.db.prepare('SELECT archive FROM agent_compactions').all() as { archive: string }[]).map((r) => r.archive).join('\n');
      const missing = Array.from({ length: firstKept }, (_, i) => i).filter((i) => !archive.includes(`Turn ${i}: remember that item ${i} costs ${i * 3} coins.`));
      assert.deepEqual(missing, []);
      // And the archive is viewable through the command, newest first.
      const { compactions: archived } = await t.client.call('agent.compactions', { limit: 100 });
      assert.equal(archived.length, Math.min(100, compactions.length));
      assert.ok(archived[0].transcript.some((m) => m.role === 'user' && /^Turn \d+: /.test(m.text)), JSON.stringify(archived[0].transcript[0]));
      // A run that compacted replays to the same events, the compaction included.
      for (const e of compactions.slice(-3)) {
        const replay = await t.client.call('runs.replay', { runId: e.runId! });
        assert.equal(replay.matches, true, JSON.stringify(replay.firstDifference));
      }
    } finally {
      await t.close();
    }
  });

  it('with the compaction model failing, emergency truncation keeps the conversation running inside the window', async () => {
    const t = await start();
    try {
      await t.client.call('agent.settings.update', {
        routes: { chat: ['ollama:llama3.2'], compaction: ['anthropic:claude-broken'] },
        contextTokens: { 'ollama:llama3.2': WINDOW },
        compactAt: 0.75,
      });
      const from = providers.ollama.requests.length;
      const failed = await converse(t, 120);
      assert.deepEqual(failed, []);
      const largest = Math.max(...providers.ollama.requests.slice(from).map((r) => sentTokens(r.body)));
      assert.ok(largest < WINDOW, `largest prompt ${largest} tokens`);
      const compactions = t.events.filter((e) => e.type === 'conversation.compacted');
      assert.ok(compactions.length > 0);
      // A truncation is remembered: the next turns start after it instead of truncating again.
      assert.ok(compactions.length < 20, `${compactions.length} truncations in 120 turns`);
      assert.ok(compactions.every((e) => e.type === 'conversation.compacted' && e.data.method === 'truncation'));
      assert.ok(t.events.some((e) => e.type === 'timeline.error' && e.data.code === 'compaction_failed'));
      const truncated = compactions.at(-1)!.runId!;
      const replay = await t.client.call('runs.replay', { runId: truncated });
      assert.equal(replay.matches, true, JSON.stringify(replay.firstDifference));
    } finally {
      await t.close();
    }
  });
});
