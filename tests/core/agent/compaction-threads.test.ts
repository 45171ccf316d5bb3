import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { agentExecutor } from '../../../core/agent/index.js';
import { useLoopbackProviders, startTestCore, type TestCore } from '../../support/index.js';

const WINDOW = 6000;
const REPLY = 'Noted. '.repeat(40);
const CHAT_SUMMARY = 'CHAT-SUMMARY: the user listed items and their prices.';
const REPORT_SUMMARY = 'REPORT-SUMMARY: the schedule wrote daily weather reports.';
const HEADER = '[Summary of the earlier conversation]';
const REPORTS = 'schedule:reports';

/** The text of a request body the loopback Ollama server received. */
const text = (body: unknown) => JSON.stringify(body);
const isCompaction = (body: unknown) => text(body).includes('You compress conversations');

/** A turn in a thread of its own (a schedule's): its user message is filed with its run, and its history is read from that thread. */
async function reportTurn(t: TestCore, i: number): Promise<void> {
  const { runId } = t.core.queue.enqueue({
    kind: 'schedule',
    title: `report ${i}`,
    threadId: REPORTS,
    group: 'reports',
    input: (runId) => t.core.log.append('message.created', { messageId: `msg-report-${i}`, role: 'user', text: `Report ${i}: weather on day ${i} was ${i % 30} degrees. ${'filler '.repeat(60)}`, status: 'done' }, runId).seq,
    executor: (_runId, seq) => agentExecutor(t.core.agent, { purpose: 'schedule', userMessageSeq: seq }),
  });
  await t.core.idle();
  assert.equal(t.core.runs.get(runId).status, 'done', `report ${i}`);
}

async function chatTurn(t: TestCore, i: number): Promise<void> {
  const { runId } = await t.client.call('chat.send', { text: `Turn ${i}: remember that item ${i} costs ${i * 3} coins. ${'filler '.repeat(60)}` });
  await t.core.idle();
  assert.equal(t.core.runs.get(runId).status, 'done', `turn ${i}: ${t.core.runs.get(runId).error}`);
}

/** Summaries made so far in a thread (by runs of that thread). */
function summariesIn(t: TestCore, threadId: string): number {
  return t.events.filter((e) => e.type === 'conversation.compacted' && e.data.method === 'summary' && e.data.uptoSeq !== null && t.core.runs.threadOf(e.runId!) === threadId).length;
}

describe('compaction summaries belong to the thread whose turns they fold', () => {
  const providers = useLoopbackProviders();
  before(() => {
    // The compaction model summarises what it is given: chat turns or a schedule's reports.
    providers.ollama.respond((body) => (isCompaction(body) ? { kind: 'stream', chunks: [text(body).includes('Report ') ? REPORT_SUMMARY : CHAT_SUMMARY] } : null));
    providers.ollama.always({ kind: 'stream', chunks: [REPLY], usage: { input: 100, output: 50 } });
  });

  it("a schedule's thread never reads the chat's summary, and the chat never reads the schedule's: each keeps its own turns", async () => {
    const t = await startTestCore({ env: providers.env() });
    try {
      await t.client.call('agent.settings.update', { routes: { chat: ['ollama:llama3.2'], schedule: ['ollama:llama3.2'] }, contextTokens: { 'ollama:llama3.2': WINDOW }, compactAt: 0.75 });
      let turn = 0;
      while (summariesIn(t, 'chat') === 0) {
        assert.ok(turn < 80, 'the chat compacts within 80 turns');
        await chatTurn(t, turn++);
      }
      const lastChatTurn = turn - 1;

      // The schedule's thread talks on until it has compacted too; none of its requests carries the chat's summary.
      const fromReports = providers.ollama.requests.length;
      let report = 0;
      while (summariesIn(t, REPORTS) === 0) {
        assert.ok(report < 80, "the schedule's thread compacts within 80 turns");
        await reportTurn(t, report++);
      }
      const reportRequests = providers.ollama.requests.slice(fromReports).filter((r) => !isCompaction(r.body));
      assert.ok(reportRequests.length >= report);
      const first = text(reportRequests[0].body);
      assert.deepEqual([first.includes(HEADER), first.includes('CHAT-SUMMARY'), first.includes('Turn ')], [false, false, false], "the schedule's first turn starts from its own thread only (no summary header, no chat summary, no chat turn)");
      assert.ok(reportRequests.every((r) => !text(r.body).includes('CHAT-SUMMARY')), "no request of the schedule's thread carries the chat's summary");
      assert.ok(text(reportRequests.at(-1)!.body).includes('REPORT-SUMMARY'), 'after its compaction the schedule reads its own summary');

      // The next chat turn reads the chat's summary and its own latest turns, none of the schedule's.
      const fromChat = providers.ollama.requests.length;
      await chatTurn(t, turn);
      const chat = text(providers.ollama.requests.slice(fromChat).filter((r) => !isCompaction(r.body))[0].body);
      assert.ok(chat.includes('CHAT-SUMMARY'), 'the chat reads its own summary');
      assert.ok(!chat.includes('REPORT-SUMMARY') && !chat.includes('Report '), "the chat reads nothing of the schedule's thread");
      assert.ok(chat.includes(`Turn ${lastChatTurn}: remember`), 'the chat keeps its turns after its own summary');

      // Each compaction is listed with the thread it folded.
      const { compactions } = await t.client.call('agent.compactions', { limit: 100 });
      assert.ok(compactions.length > 0);
      for (const c of compactions) assert.equal(c.threadId, c.runId ? t.core.runs.threadOf(c.runId) : 'chat', c.id);
    } finally {
      await t.close();
    }
  });
});
