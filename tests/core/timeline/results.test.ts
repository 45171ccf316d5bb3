import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyTimelineEvent, timelineThreads, type AppError, type RunResultItem, type TimelineItem } from '../../../core/contract/index.js';
import { chunk, startTestCore, tempDir, useLoopbackProviders, waitFor, type TestCore } from '../../support/index.js';
import { envelopeReply, isWorkerRequest, taskOf, turnsBefore, type MessagesBody } from '../workers/support.js';

const results = (items: readonly TimelineItem[]) => items.filter((i): i is RunResultItem => i.kind === 'run_result');

describe('results of background runs in the master timeline', () => {
  const providers = useLoopbackProviders();
  let seen = 0;
  /** The chat's own model requests in this test (not a worker's, not a schedule's), oldest first. */
  const chatRequests = () =>
    providers.anthropic.requests.slice(seen).filter((r) => r.path === '/v1/messages' && !isWorkerRequest(r.body) && !JSON.stringify((r.body as MessagesBody).messages[0]?.content).includes('SCHEDULED-PROMPT'));
  const start = async (options: { dataDir?: string } = {}): Promise<TestCore> => {
    const t = await startTestCore({ env: providers.env(), ...options });
    seen = providers.anthropic.requests.length;
    return t;
  };

  it('a scheduled run posts exactly one result item into the chat; the next chat request has neither its prompt, its report nor the result, and a reply to the result has the result', async () => {
    const t = await start();
    try {
      providers.anthropic.script(
        { kind: 'stream', chunks: chunk('An earlier answer.', 4) },
        { kind: 'stream', chunks: chunk('REPORT-BODY: sales are up 4%.', 4) },
        { kind: 'stream', chunks: chunk('Hello again.', 4) },
        { kind: 'stream', chunks: chunk('Yes, 4% is good.', 4) },
      );
      const first = await t.client.call('chat.send', { text: 'an earlier chat message' });
      await waitFor(() => t.core.runs.get(first.runId).status === 'done', 'the first chat turn');
      const s = await t.client.call('schedules.add', { name: 'Sales digest', spec: { kind: 'interval', everySeconds: 3600 }, prompt: 'SCHEDULED-PROMPT: write the sales digest' });
      const ran = await t.client.call('schedules.runNow', { scheduleId: s.id });
      await waitFor(() => t.core.runs.get(ran.runId).status === 'done', 'the scheduled run');
      await t.core.idle();

      const chat = await t.client.call('timeline.list', {});
      const posted = results(chat.items);
      assert.equal(posted.length, 1, 'one result item');
      const [result] = posted;
      assert.deepEqual(
        { id: result.id, runId: result.runId, threadId: result.threadId, sourceKind: result.sourceKind, name: result.name, title: result.title, status: result.status, summary: result.summary, sourceThreadId: result.sourceThreadId },
        { id: `result-${ran.runId}`, runId: ran.runId, threadId: 'chat', sourceKind: 'schedule', name: 'Sales digest', title: 'SCHEDULED-PROMPT: write the sales digest', status: 'done', summary: 'REPORT-BODY: sales are up 4%.', sourceThreadId: `schedule:${s.id}` },
      );
      assert.equal(t.events.filter((e) => e.type === 'run.result').length, 1);
      assert.ok(chat.items.every((i) => i.threadId === 'chat'), 'the master timeline holds the chat thread only');
      assert.ok(!chat.items.some((i) => i.kind === 'message' && i.runId === ran.runId), 'not the scheduled run’s messages');

      // Its whole transcript is in its own thread.
      const own = await t.client.call('timeline.list', { threadId: `schedule:${s.id}` });
      assert.deepEqual(
        own.items.map((i) => (i.kind === 'message' ? `${i.role}:${i.text}` : i.kind)),
        ['assistant:REPORT-BODY: sales are up 4%.'],
      );

      const next = await t.client.call('chat.send', { text: 'hello' });
      await waitFor(() => t.core.runs.get(next.runId).status === 'done', 'the next chat turn');
      const plain = JSON.stringify(chatRequests().at(-1)!.body);
      assert.match(plain, /an earlier chat message/);
      assert.doesNotMatch(plain, /SCHEDULED-PROMPT/);
      assert.doesNotMatch(plain, /REPORT-BODY/);

      const reply = await t.client.call('chat.send', { text: 'is that good?', replyTo: result.id });
      await waitFor(() => t.core.runs.get(reply.runId).status === 'done', 'the reply turn');
      const replied = JSON.stringify(chatRequests().at(-1)!.body);
      assert.match(replied, /REPORT-BODY: sales are up 4%/, 'the result is in the context of the message that replies to it');
      assert.match(replied, /Sales digest/);
      assert.match(replied, /is that good\?/);
      assert.equal((JSON.stringify(replied).match(/REPORT-BODY/g) ?? []).length, 1, 'the result once, not the run’s transcript besides');
      const message = (await t.client.call('timeline.list', {})).items.find((i) => i.id === reply.messageId);
      assert.equal(message?.kind === 'message' ? message.replyTo : undefined, result.id);

      await assert.rejects(t.client.call('chat.send', { text: 'what?', replyTo: 'result-run_nope' }), (err: AppError) => err.code === 'not_found');
      await assert.rejects(t.client.call('chat.send', { text: 'what?', replyTo: first.messageId }), (err: AppError) => err.code === 'not_found', 'only a result can be replied to');
    } finally {
      await t.close();
    }
  });

  it('a worker the chat started posts exactly one result item; the next chat request has neither its transcript nor its envelope', async () => {
    const t = await start();
    try {
      await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'worker.spawn', pattern: '*' });
      providers.anthropic.respond((body) => {
        if (!isWorkerRequest(body)) return null;
        if (turnsBefore(body) === 0) return { kind: 'stream', chunks: ['WORKER-SCRATCH notes '], toolCalls: [{ name: 'current_time', arguments: {} }] };
        return envelopeReply({ summary: `ENVELOPE-SUMMARY for ${taskOf(body)}`, artifacts: [{ name: 'dates.md', content: '# Dates' }] });
      });
      providers.anthropic.script(
        { kind: 'stream', chunks: ['Asking a worker.'], toolCalls: [{ name: 'spawn_worker', arguments: { role: 'researcher', task: 'find the launch date' } }] },
        { kind: 'stream', chunks: chunk('It is on Tuesday.', 4) },
        { kind: 'stream', chunks: chunk('You are welcome.', 4) },
      );
      const turn = await t.client.call('chat.send', { text: 'when is the launch?' });
      await waitFor(() => t.core.runs.get(turn.runId).status === 'done', 'the chat turn');
      await t.core.idle();
      const [worker] = (await t.client.call('workers.list', { status: 'all' })).workers;
      assert.equal(worker.status, 'done');

      const posted = results((await t.client.call('timeline.list', {})).items);
      assert.equal(posted.length, 1);
      assert.deepEqual(
        [posted[0].id, posted[0].sourceKind, posted[0].name, posted[0].title, posted[0].status, posted[0].summary, posted[0].sourceThreadId],
        [`result-${worker.id}`, 'worker', 'researcher', 'find the launch date', 'done', 'ENVELOPE-SUMMARY for find the launch date\n\nFiles: dates.md', `worker:${worker.id}`],
      );
      const own = await t.client.call('timeline.list', { threadId: `worker:${worker.id}` });
      assert.ok(own.items.some((i) => i.kind === 'message' && i.text.includes('WORKER-SCRATCH')), 'the worker’s transcript is in its own thread');

      const next = await t.client.call('chat.send', { text: 'thanks' });
      await waitFor(() => t.core.runs.get(next.runId).status === 'done', 'the next chat turn');
      const request = JSON.stringify(chatRequests().at(-1)!.body);
      assert.match(request, /It is on Tuesday/);
      assert.doesNotMatch(request, /WORKER-SCRATCH/);
      assert.doesNotMatch(request, /ENVELOPE-SUMMARY/);
      assert.doesNotMatch(request, /find the launch date/);
    } finally {
      providers.anthropic.respond(null);
      await t.close();
    }
  });

  it('a worker’s own worker posts no result into the chat: it reports to its parent', async () => {
    const t = await start();
    try {
      const parent = t.core.log.transaction(() => t.core.runs.create({ kind: 'chat', title: 'parent' }));
      providers.anthropic.respond((body) => (isWorkerRequest(body) ? envelopeReply({ summary: `did ${taskOf(body)}` }) : null));
      const top = t.core.workers.pool.spawn({ parentRunId: parent, role: 'researcher', task: 'top' });
      const inner = t.core.workers.pool.spawn({ parentRunId: top.id, role: 'writer', task: 'inner' });
      await t.core.workers.pool.wait([top.id, inner.id], new AbortController().signal);
      await t.core.idle();
      const posted = results((await t.client.call('timeline.list', {})).items);
      assert.deepEqual(posted.map((r) => [r.runId, r.summary]), [[top.id, 'did top']]);
    } finally {
      providers.anthropic.respond(null);
      await t.close();
    }
  });

  it('a failed, a cancelled and an interrupted scheduled run each post one result that says so', async () => {
    const dir = tempDir();
    try {
      let t = await start({ dataDir: dir.path });
      const s = await t.client.call('schedules.add', { name: 'Flaky', spec: { kind: 'interval', everySeconds: 3600 }, prompt: 'SCHEDULED-PROMPT flaky' });
      providers.anthropic.script({ kind: 'error', status: 400, type: 'invalid_request_error', message: 'bad request' });
      const failed = await t.client.call('schedules.runNow', { scheduleId: s.id });
      await waitFor(() => t.core.runs.get(failed.runId).status === 'failed', 'the failing run');
      providers.anthropic.script({ kind: 'stream', chunks: chunk('PARTIAL words before the stop ', 2), delayMs: 40 });
      const cancelled = await t.client.call('schedules.runNow', { scheduleId: s.id });
      await waitFor(() => t.events.some((e) => e.type === 'message.delta' && e.runId === cancelled.runId), 'the second run to write');
      await t.client.call('runs.cancel', { runId: cancelled.runId });
      await t.core.idle();
      // A run the next start finds unfinished: a dead process left it so.
      const killed = t.core.log.transaction(() => t.core.runs.create({ kind: 'schedule', title: 'Flaky', threadId: `schedule:${s.id}` }));
      t.core.log.transaction(() => t.core.runs.transition(killed, 'running'));
      t.client.close();
      t.core.db.close();
      t.core.lock.release();

      t = await start({ dataDir: dir.path });
      await t.core.idle();
      const posted = results((await t.client.call('timeline.list', {})).items);
      assert.deepEqual(
        posted.map((r) => [r.runId, r.status, r.reason]),
        [
          [failed.runId, 'failed', 'provider_error'],
          [cancelled.runId, 'cancelled', 'cancelled_by_user'],
          [killed, 'interrupted', null],
        ],
      );
      assert.match(posted[0].summary, /bad request/i);
      assert.match(posted[1].summary, /PARTIAL/);
      assert.match(posted[2].summary, /app stopped/);
      assert.equal(t.core.log.since(0, 100_000).filter((e) => e.type === 'run.result').length, 3, 'one each, the restart posted no second one');
      await t.close({ keepData: true });
    } finally {
      dir.cleanup();
    }
  });

  it('a client folding the log keeps the chat thread with the results, like timeline.list, and another thread on its own', async () => {
    const t = await start();
    try {
      providers.anthropic.script({ kind: 'stream', chunks: chunk('Chat answer.', 3) }, { kind: 'stream', chunks: chunk('Scheduled answer.', 3) });
      const turn = await t.client.call('chat.send', { text: 'hi' });
      await waitFor(() => t.core.runs.get(turn.runId).status === 'done', 'the chat turn');
      const s = await t.client.call('schedules.add', { name: 'Daily', spec: { kind: 'interval', everySeconds: 3600 }, prompt: 'SCHEDULED-PROMPT daily' });
      const ran = await t.client.call('schedules.runNow', { scheduleId: s.id });
      await waitFor(() => t.core.runs.get(ran.runId).status === 'done', 'the scheduled run');
      await t.core.idle();
      for (const view of ['chat', `schedule:${s.id}`]) {
        const index = new Map<string, number>();
        const threads = timelineThreads(view);
        let folded: TimelineItem[] = [];
        for (const event of t.core.log.since(0, 10_000)) folded = applyTimelineEvent(folded, index, event, threads);
        const { items } = await t.client.call('timeline.list', { threadId: view });
        assert.deepEqual(items, folded, view);
        assert.ok(items.length >= (view === 'chat' ? 3 : 1), view);
      }
      // A page says which thread each unfinished run writes into, for a client that follows the log from there.
      const queued = t.core.log.transaction(() => t.core.runs.create({ kind: 'schedule', title: 'Daily', threadId: `schedule:${s.id}` }));
      const page = await t.client.call('timeline.list', { limit: 1 });
      assert.equal(page.threads[queued], `schedule:${s.id}`);
      t.core.log.transaction(() => t.core.runs.transition(queued, 'cancelled', { reason: 'test' }));
      // Search reads the chat thread: the result, not the schedule's transcript.
      const hits = (await t.client.call('timeline.search', { query: 'scheduled answer' })).hits;
      assert.deepEqual(hits.map((h) => h.kind), ['run_result']);
      const inThread = (await t.client.call('timeline.search', { query: 'scheduled answer', threadId: `schedule:${s.id}` })).hits;
      assert.deepEqual(inThread.map((h) => h.kind), ['message']);
    } finally {
      await t.close();
    }
  });
});
