import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { applyTimelineEvent, timelineThreads, type TimelineItem } from '../../../core/contract/index.js';
import { timelineLine } from '../../../core/host/cli/format.js';
import { AnthropicLoopback, chunk, startTestCore, waitFor } from '../../support/index.js';

describe('the timeline projection', () => {
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(() => anthropic.close());

  it('the stored timeline equals the events folded by the shared reducer', async () => {
    const t = await startTestCore({ env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url } });
    try {
      anthropic.script(
        { kind: 'stream', chunks: chunk('first answer', 3), delayMs: 1 },
        // Not retried: a bad request fails the run at once (overloads are retried and fall back).
        { kind: 'error', status: 400, type: 'invalid_request_error', message: 'bad' },
        { kind: 'stream', chunks: chunk('x'.repeat(300), 2), delayMs: 5 },
      );
      const a = await t.client.call('chat.send', { text: 'one' });
      await t.core.idle();
      const b = await t.client.call('chat.send', { text: 'two' });
      await t.core.idle();
      assert.equal((await t.client.call('runs.get', { runId: b.runId })).status, 'failed');
      const c = await t.client.call('chat.send', { text: 'three' });
      await waitFor(() => t.events.some((e) => e.type === 'message.delta' && e.runId === c.runId));
      await t.client.call('runs.cancel', { runId: c.runId });
      await t.core.idle();
      assert.equal((await t.client.call('runs.get', { runId: a.runId })).status, 'done');

      const index = new Map<string, number>();
      const threads = timelineThreads();
      let folded: TimelineItem[] = [];
      for (const event of t.core.log.since(0, 10_000)) folded = applyTimelineEvent(folded, index, event, threads);
      const { items } = await t.client.call('timeline.list', { limit: 1000 });
      assert.deepEqual(items, folded);
      assert.deepEqual(
        items.map((i) => (i.kind === 'message' ? `${i.role}:${i.status}` : i.kind === 'run_status' ? `status:${i.status}` : i.kind === 'error' ? `error:${i.code}` : i.kind === 'tool_call' ? `tool:${i.tool}` : i.kind)),
        ['user:done', 'assistant:done', 'user:done', 'assistant:failed', 'error:provider.bad_request', 'status:failed', 'user:done', 'assistant:cancelled', 'status:cancelled'],
      );
    } finally {
      await t.close();
    }
  });

  it('tool call cards are stored as folded, and a row of a kind this build does not know is shown as such, not misnamed', async () => {
    const t = await startTestCore();
    try {
      t.core.log.transaction(() => {
        t.core.log.append('message.created', { messageId: 'm1', role: 'user', text: 'read my notes', status: 'done' }, null);
        t.core.log.append('tool.started', { callId: 'c1', tool: 'read_text', args: '{"path":"notes.txt"}', capability: 'fs.read', resource: '/notes.txt' }, null);
        t.core.log.append('tool.started', { callId: 'c2', tool: 'http_get', args: '{"url":"http://x"}', capability: null, resource: 'http://x' }, null);
      });
      t.core.log.transaction(() => {
        t.core.log.append('tool.completed', { callId: 'c1', tool: 'read_text', ok: true, output: 'line one\nline two', error: null }, null);
        t.core.log.append('tool.completed', { callId: 'c2', tool: 'http_get', ok: false, output: '', error: { code: 'denied', message: 'not allowed' } }, null);
      });
      const index = new Map<string, number>();
      const threads = timelineThreads();
      let folded: TimelineItem[] = [];
      for (const event of t.core.log.since(0, 10_000)) folded = applyTimelineEvent(folded, index, event, threads);
      const { items } = await t.client.call('timeline.list', {});
      assert.deepEqual(items, folded);
      assert.deepEqual(items.map((i) => (i.kind === 'tool_call' ? `${i.tool}:${i.status}` : i.kind)), ['message', 'read_text:ok', 'http_get:error']);

      // As a later projector (or a bug) could leave it: a row whose kind no reader here knows, under
      // the seq of the last tool.completed (which updated a card and added no row of its own).
      t.core.db.prepare("INSERT INTO timeline (id, seq, ts, kind, run_id, text) VALUES ('future-1', ?, 0, 'reminder', NULL, 'water the plants')").run(t.core.log.head());
      const after = (await t.client.call('timeline.list', {})).items;
      assert.equal(after.length, 4);
      const unknown = after.at(-1)!;
      assert.ok(unknown.kind === 'error' && unknown.code === 'unknown_kind' && /"reminder"/.test(unknown.message), JSON.stringify(unknown));

      const lines = after.map(timelineLine);
      assert.ok(lines.every((line) => !line.includes('\n')), `one line each:\n${lines.join('\n')}`);
      assert.match(lines[1], /tool read_text \{"path":"notes.txt"\} → ok: line one line two$/);
      assert.match(lines[2], /tool http_get .* → error denied: not allowed$/);
      // A kind added after this CLI was built prints as one line naming it.
      const future = timelineLine({ kind: 'reminder', id: 'r1', seq: 99, ts: 0, runId: null, note: 'later' } as unknown as TimelineItem);
      assert.match(future, /^#99 .* reminder \{.*"note":"later".*\}$/);
    } finally {
      await t.close();
    }
  });

  it('memory proposals are stored as folded: pending until answered, then accepted, edited or rejected, and only the first answer counts', async () => {
    const t = await startTestCore();
    try {
      t.core.log.transaction(() => t.core.log.append('message.created', { messageId: 'm1', role: 'user', text: 'my dentist is Dr. Okafor and I take tea black', status: 'done' }, null));
      const source = { kind: 'run' as const, runId: null, messageId: 'm1' };
      const proposals = t.core.memoryProposals;
      const accepted = (await proposals.propose({ text: 'My dentist is Dr. Okafor', area: 'main', source }))!;
      const edited = (await proposals.propose({ text: 'I take tea black', area: 'main', source }))!;
      const rejected = (await proposals.propose({ text: 'The user said hello', area: 'fragments', source }))!;
      const pending = (await proposals.propose({ text: 'I live near the river', area: 'main', source }))!;
      await t.client.call('memory.resolveProposal', { proposalId: accepted.proposalId, action: 'accept' });
      await t.client.call('memory.resolveProposal', { proposalId: edited.proposalId, action: 'accept', text: 'I take my tea black, no sugar' });
      await t.client.call('memory.resolveProposal', { proposalId: rejected.proposalId, action: 'reject' });
      // A second answer changes nothing, in the table or the fold.
      await t.client.call('memory.resolveProposal', { proposalId: rejected.proposalId, action: 'accept' });

      const index = new Map<string, number>();
      const threads = timelineThreads();
      let folded: TimelineItem[] = [];
      for (const event of t.core.log.since(0, 10_000)) folded = applyTimelineEvent(folded, index, event, threads);
      const { items } = await t.client.call('timeline.list', {});
      assert.deepEqual(items, folded);
      const cards = items.filter((i) => i.kind === 'memory_proposal');
      assert.deepEqual(
        cards.map((c) => [c.proposalId, c.status, c.editedText, c.source.messageId, c.memoryId !== null]),
        [
          [accepted.proposalId, 'accepted', null, 'm1', true],
          [edited.proposalId, 'edited', 'I take my tea black, no sugar', 'm1', true],
          [rejected.proposalId, 'rejected', null, 'm1', false],
          [pending.proposalId, 'pending', null, 'm1', false],
        ],
      );
      const stored = await t.client.call('memory.get', { id: cards[1].memoryId! });
      assert.equal(stored.text, 'I take my tea black, no sugar');

      const lines = cards.map(timelineLine);
      assert.ok(lines.every((line) => !line.includes('\n')), lines.join('\n'));
      assert.match(lines[1], /memory proposal \S+ \(main\) "I take tea black" from message m1 → edited: I take my tea black, no sugar$/);
      assert.match(lines[2], /"The user said hello" from message m1 → rejected$/);
      assert.match(lines[3], /→ pending$/);
    } finally {
      await t.close();
    }
  });

  it('a proposal extracted after a run, with auto-accept on, is in the timeline with the run as its source and already accepted', async () => {
    const t = await startTestCore({ env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url } });
    try {
      await t.client.call('memory.configure', { extractAfterRuns: true, autoAcceptProposals: true });
      anthropic.script(
        { kind: 'stream', chunks: ['Noted, Okafor it is.'] },
        { kind: 'stream', chunks: ['{"text": "My dentist is Dr. Okafor", "area": "main"}'] },
      );
      const { runId } = await t.client.call('chat.send', { text: 'My dentist is Dr. Okafor.' });
      await t.core.idle();
      await waitFor(async () => (await t.client.call('memory.proposals', {})).proposals.some((p) => p.status === 'accepted'), 'the proposal accepted');
      const index = new Map<string, number>();
      const threads = timelineThreads();
      let folded: TimelineItem[] = [];
      for (const event of t.core.log.since(0, 10_000)) folded = applyTimelineEvent(folded, index, event, threads);
      const { items } = await t.client.call('timeline.list', {});
      assert.deepEqual(items, folded);
      const card = items.find((i) => i.kind === 'memory_proposal');
      assert.ok(card && card.kind === 'memory_proposal', JSON.stringify(items));
      assert.equal(card.status, 'accepted');
      assert.equal(card.runId, runId);
      assert.equal(card.source.runId, runId);
      const user = items.find((i) => i.kind === 'message' && i.role === 'user' && i.runId === runId);
      assert.equal(card.source.messageId, user?.id);
      assert.equal((await t.client.call('memory.search', { query: 'dentist' })).hits[0]?.memory.text, 'My dentist is Dr. Okafor');
    } finally {
      anthropic.script();
      await t.close();
    }
  });

  it('pages go backwards from a seq and say whether older items exist', async () => {
    const t = await startTestCore({ env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url } });
    try {
      anthropic.always({ kind: 'stream', chunks: ['ok'] });
      for (let i = 0; i < 5; i++) await t.client.call('chat.send', { text: `m${i}` });
      await t.core.idle();
      anthropic.script();
      const newest = await t.client.call('timeline.list', { limit: 4 });
      assert.equal(newest.items.length, 4);
      assert.equal(newest.hasMore, true);
      const older = await t.client.call('timeline.list', { limit: 100, beforeSeq: newest.items[0].seq });
      assert.equal(older.items.length, 6);
      assert.equal(older.hasMore, false);
      assert.ok(older.items.at(-1)!.seq < newest.items[0].seq);
    } finally {
      await t.close();
    }
  });
});
