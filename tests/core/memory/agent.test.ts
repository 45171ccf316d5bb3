import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { parseExtraction, withoutPreamble } from '../../../core/memory/index.js';
import { ManualClock } from '../../../core/util/clock.js';
import { AnthropicLoopback, startTestCore, waitFor, type TestCore } from '../../support/index.js';

const DAY = 86_400_000;

describe('memory on the agent side', () => {
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(() => anthropic.close());
  beforeEach(() => assert.equal(anthropic.pending(), 0, 'a test left scripted replies behind'));
  const start = (clock?: ManualClock) => startTestCore({ ...(clock ? { clock } : {}), env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url } });
  const runDone = async (t: TestCore, runId: string) => {
    await waitFor(async () => ['done', 'failed', 'cancelled'].includes((await t.client.call('runs.get', { runId })).status), 'run ended');
    return t.client.call('runs.get', { runId });
  };

  it('memory_save goes through the gate as memory.write and records the run and message it came from', async () => {
    const t = await start();
    try {
      await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'memory.write', pattern: '*' });
      anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'memory_save', arguments: { text: 'The user prefers aisle seats on flights', area: 'main' } }] },
        { kind: 'stream', chunks: ['Noted.'] },
      );
      const { runId, messageId } = await t.client.call('chat.send', { text: 'Remember that I like aisle seats' });
      assert.equal((await runDone(t, runId)).status, 'done');
      const { memories } = await t.client.call('memory.list', {});
      assert.equal(memories.length, 1);
      assert.deepEqual(memories[0].source, { kind: 'run', runId, messageId });
      const decision = t.events.find((e) => e.type.startsWith('permission') && JSON.stringify(e.data).includes('memory.write'));
      assert.ok(decision, 'the gate decided on memory.write');
    } finally {
      await t.close();
    }
  });

  it('without a rule, memory_forget waits for the user rather than forgetting', async () => {
    const t = await start();
    try {
      const m = await t.client.call('memory.add', { text: 'Old phone is an iPhone 11', area: 'main' });
      anthropic.script({ kind: 'stream', toolCalls: [{ name: 'memory_forget', arguments: { id: m.memory.id } }] });
      const { runId } = await t.client.call('chat.send', { text: 'forget my old phone' });
      await waitFor(async () => (await t.client.call('runs.get', { runId })).status === 'waiting_permission', 'asks first');
      assert.equal((await t.client.call('memory.get', { id: m.memory.id })).id, m.memory.id, 'still remembered while the question is open');
      await t.client.call('runs.cancel', { runId });
    } finally {
      await t.close();
    }
  });

  it('the prompt carries relevant memories under a budget, and memory_search answers from the store', async () => {
    const t = await start();
    try {
      await t.client.call('memory.add', { text: 'My dentist is Dr. Okafor at the Riverside practice', area: 'main' });
      await t.client.call('memory.add', { text: 'Use jq -r to print raw strings', area: 'instruments' });
      assert.match((await t.core.memory.recallForPrompt('who is my dentist?', 500)) ?? '', /Dr\. Okafor/);
      assert.equal(await t.core.memory.recallForPrompt('who is my dentist?', 5), null, 'nothing fits a tiny budget');
      assert.equal(await t.core.memory.recallForPrompt('zzzz qqqq', 500), null, 'nothing unrelated comes in');
      anthropic.script({ kind: 'stream', toolCalls: [{ name: 'memory_search', arguments: { query: 'jq raw output' } }] }, { kind: 'stream', chunks: ['Use jq -r.'] });
      const before = anthropic.requests.length;
      const { runId } = await t.client.call('chat.send', { text: 'who is my dentist, and how do I get raw output from jq?' });
      assert.equal((await runDone(t, runId)).status, 'done');
      const requests = anthropic.requests.slice(before).map((r) => JSON.stringify(r.body));
      assert.match(requests[0], /Dr\. Okafor/, 'recalled memory is in the first prompt');
      assert.match(requests[1], /jq -r to print raw strings/, 'the tool result reached the model');
    } finally {
      await t.close();
    }
  });

  it('after a run, extraction proposes memories as timeline events that the user accepts (edited) or rejects', async () => {
    const t = await start();
    try {
      await t.client.call('memory.configure', { extractAfterRuns: true });
      anthropic.script(
        { kind: 'stream', chunks: ['Congratulations on the new job!'] },
        { kind: 'stream', chunks: ['{"text": "I started a new job at Acme as a data engineer", "area": "main"}\n', 'not json\n{"text": "I like pancakes", "area": "main"}'] },
      );
      const { runId, messageId } = await t.client.call('chat.send', { text: 'I started at Acme today as a data engineer' });
      await runDone(t, runId);
      await waitFor(() => t.events.filter((e) => e.type === 'memory.proposed').length === 2, 'two proposals');
      const { proposals } = await t.client.call('memory.proposals', { status: 'pending' });
      assert.equal(proposals.length, 2);
      assert.ok(proposals.every((p) => p.source.runId === runId && p.source.messageId === messageId));
      const job = proposals.find((p) => p.text.includes('Acme'))!;
      const accepted = await t.client.call('memory.resolveProposal', { proposalId: job.proposalId, action: 'accept', text: 'I work at Acme as a data engineer since 2026' });
      assert.equal(accepted.status, 'accepted');
      assert.equal((await t.client.call('memory.get', { id: accepted.memoryId! })).text, 'I work at Acme as a data engineer since 2026');
      const other = proposals.find((p) => p !== job)!;
      assert.equal((await t.client.call('memory.resolveProposal', { proposalId: other.proposalId, action: 'reject' })).status, 'rejected');
      const again = await t.client.call('memory.resolveProposal', { proposalId: other.proposalId, action: 'accept' });
      assert.equal(again.status, 'rejected', 'the first answer stands');
      assert.equal((await t.client.call('memory.list', {})).total, 1);
    } finally {
      await t.close();
    }
  });

  it('extraction is a run of kind memory through the queue: listed with the chat turn as its parent, its tokens and cost in runs.show and the daily usage', async () => {
    const t = await start();
    try {
      await t.client.call('agent.settings.update', { prices: { 'anthropic:claude-test': { input: 3, output: 15 } }, routes: { chat: ['anthropic:claude-test'] } });
      await t.client.call('memory.configure', { extractAfterRuns: true });
      anthropic.script(
        { kind: 'stream', chunks: ['Noted, Lisbon it is.'], usage: { input: 1000, output: 100 } },
        { kind: 'stream', chunks: ['{"text": "I live in Lisbon", "area": "main"}'], usage: { input: 2000, output: 200 } },
      );
      const { runId } = await t.client.call('chat.send', { text: 'I moved to Lisbon last month' });
      await runDone(t, runId);
      await t.core.idle();
      const { runs } = await t.client.call('runs.list', { limit: 10 });
      const extraction = runs.find((r) => r.kind === 'memory');
      assert.ok(extraction, 'a memory run is listed');
      assert.equal(extraction.status, 'done');
      assert.equal(extraction.parentRunId, runId);
      assert.equal(extraction.model, 'anthropic:claude-test');
      assert.match(extraction.title, /I moved to Lisbon/);
      const shown = await t.client.call('runs.show', { runId: extraction.id });
      assert.equal(shown.usage.total.inputTokens, 2000);
      assert.equal(shown.usage.total.outputTokens, 200);
      assert.equal(shown.usage.total.costUsd, (2000 * 3 + 200 * 15) / 1e6);
      const chatShown = await t.client.call('runs.show', { runId });
      assert.equal(chatShown.usage.total.inputTokens, 1000, "the chat turn's usage is its own");
      const { days } = await t.client.call('usage.daily', { days: 1 });
      assert.equal(days[0].inputTokens, 3000, 'the day counts both runs');
      assert.equal(days[0].runs, 2);
      const usage = t.events.filter((e) => e.type === 'run.usage' && e.runId === extraction.id);
      assert.equal(usage.length, 1);
      assert.equal(usage[0].type === 'run.usage' && usage[0].data.purpose, 'memory');
      const proposals = t.events.filter((e) => e.type === 'memory.proposed');
      assert.equal(proposals.length, 1);
      assert.equal(proposals[0].runId, runId, "the proposal belongs to the chat turn it came from");
    } finally {
      await t.close();
    }
  });

  it('a failed extraction is a failed memory run that says why, and the chat turn it read stays done', async () => {
    const t = await start();
    try {
      await t.client.call('memory.configure', { extractAfterRuns: true });
      anthropic.script({ kind: 'stream', chunks: ['Hello!'] }, { kind: 'error', status: 400, type: 'invalid_request_error', message: 'prompt is too long' });
      const { runId } = await t.client.call('chat.send', { text: 'hi there' });
      await runDone(t, runId);
      await t.core.idle();
      const failed = (await t.client.call('runs.list', { limit: 10 })).runs.find((r) => r.kind === 'memory')!;
      assert.equal(failed.status, 'failed');
      assert.equal(failed.reason, 'provider_error');
      assert.match(failed.error ?? '', /prompt is too long/);
      assert.equal((await t.client.call('runs.get', { runId })).status, 'done', 'the chat turn stays done');
    } finally {
      await t.close();
    }
  });

  it('with auto-accept on, proposals become memories at once; with extraction off, no model call is made', async () => {
    const t = await start();
    try {
      const before = anthropic.requests.length;
      anthropic.script({ kind: 'stream', chunks: ['Hi!'] });
      await runDone(t, (await t.client.call('chat.send', { text: 'hello' })).runId);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(anthropic.requests.length - before, 1, 'extraction is off by default');
      await t.client.call('memory.configure', { extractAfterRuns: true, autoAcceptProposals: true });
      anthropic.script({ kind: 'stream', chunks: ['Nice.'] }, { kind: 'stream', chunks: ['{"text": "My cat is called Miso", "area": "main"}'] });
      await runDone(t, (await t.client.call('chat.send', { text: 'my cat is called Miso' })).runId);
      await waitFor(async () => (await t.client.call('memory.list', {})).total === 1, 'auto-accepted');
      assert.equal((await t.client.call('memory.proposals', {})).proposals[0].status, 'accepted');
    } finally {
      await t.close();
    }
  });

  it('consolidation merges week-old fragments about the same thing into one main memory', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    const t = await start(clock);
    try {
      const old = clock.now() - 10 * DAY;
      await t.client.call('memory.add', { text: 'User said the Kyoto trip is in April', area: 'fragments', createdAt: old });
      await t.client.call('memory.add', { text: 'User mentioned the Kyoto trip is in April with Sam', area: 'fragments', createdAt: old + 1000 });
      await t.client.call('memory.add', { text: 'User asked about sourdough starters', area: 'fragments', createdAt: old });
      await t.client.call('memory.add', { text: 'User said the Kyoto trip might include Nara', area: 'fragments', createdAt: clock.now() });
      const r = await t.client.call('memory.consolidate', {});
      assert.deepEqual(r, { groups: 1, created: 1, forgotten: 2 });
      const main = (await t.client.call('memory.list', { area: 'main' })).memories;
      assert.deepEqual(main.map((m) => m.text), ['The Kyoto trip is in April with Sam']);
      assert.equal(main[0].source.kind, 'consolidation');
      assert.equal((await t.client.call('memory.list', { area: 'fragments' })).total, 2, 'the unrelated and the recent fragment stay');
    } finally {
      await t.close();
    }
  });

  it('consolidation keeps related fragments that are different records apart, with the word-vector embedder too', async () => {
    const clock = new ManualClock(Date.UTC(2026, 5, 1));
    const t = await start(clock);
    try {
      const old = clock.now() - 10 * DAY;
      const related = [
        'User said their sister Anna lives in Boston',
        'User said their brother Tom lives in Chicago',
        'User said their cat is called Miso',
        'User said their dog is called Miso',
        'User said the meeting in Paris is on Monday',
        'User said the meeting in Berlin is on Friday',
      ];
      for (const [i, text] of related.entries()) await t.client.call('memory.add', { text, area: 'fragments', createdAt: old + i });
      await t.client.call('memory.add', { text: 'User said the Kyoto trip is in April', area: 'fragments', createdAt: old });
      await t.client.call('memory.add', { text: 'User mentioned the Kyoto trip is in April', area: 'fragments', createdAt: old + 10 });
      const fragments = (await t.client.call('memory.list', { area: 'fragments' })).memories;
      assert.match(fragments[0].embedder, /^offline-v4-/, 'the embedder with word vectors, whose full cosines relate these texts');
      const r = await t.client.call('memory.consolidate', {});
      assert.deepEqual(r, { groups: 1, created: 1, forgotten: 2 }, 'only the reworded duplicate is consolidated');
      assert.deepEqual((await t.client.call('memory.list', { area: 'main' })).memories.map((m) => m.text), ['The Kyoto trip is in April']);
      const left = (await t.client.call('memory.list', { area: 'fragments', limit: 50 })).memories.map((m) => m.text);
      assert.deepEqual(left.sort(), [...related].sort(), 'every related fragment survives');
    } finally {
      await t.close();
    }
  });

  it('parses extraction answers strictly and strips conversational preambles', () => {
    assert.deepEqual(parseExtraction('NONE'), []);
    assert.deepEqual(parseExtraction('- {"text": "I live in Lisbon", "area": "main"},\n{"text": "x"}\n{"area": "main"}'), [{ text: 'I live in Lisbon', area: 'main' }]);
    assert.equal(withoutPreamble('User mentioned that the rent is due'), 'The rent is due');
  });
});
