import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageItem, RunResultItem, TimelineItem } from '../../../core/contract/index.js';
import { startTestCore, tempDir, useLoopbackProviders, waitFor, type TestCore } from '../../support/index.js';

/** A real 1×1 PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const CSV = 'month,sales\nMay,104\nJune,108\n';
const files = () => [
  { name: 'chart.png', mediaType: 'image/png', data: PNG },
  { name: 'sales.csv', mediaType: 'text/csv', data: Buffer.from(CSV, 'utf8').toString('base64') },
];
const PROMPT = 'SCHEDULED-PROMPT: write the sales digest';
const REPORT = 'REPORT-BODY: sales are up 4%.';
/** The result as the model reads it in front of a message that replies to it. */
const QUOTE = `[In reply to the result of the scheduled task "Sales digest" (${PROMPT}), done:]\n${REPORT}\n[End of that result.]`;

type Block = { type: string; text?: string };
type WireMessage = { role: string; content: string | Block[]; images?: string[] };

async function ended(t: TestCore, runId: string, status: 'done' | 'failed' = 'done'): Promise<void> {
  await waitFor(async () => ['done', 'failed', 'cancelled'].includes((await t.client.call('runs.get', { runId })).status), 'the run to end');
  assert.equal((await t.client.call('runs.get', { runId })).status, status);
}

/** The newest request's messages that holds `text`, from one server's recorded requests. */
function lastWith(requests: readonly { path: string; body: unknown }[], path: string, text: string): WireMessage[] {
  const found = requests.filter((r) => r.path === path && JSON.stringify(r.body).includes(text)).at(-1);
  assert.ok(found, `a request to ${path} holding "${text}"`);
  return (found.body as { messages: WireMessage[] }).messages;
}

/** The Messages API refuses a text block of whitespace alone (or empty). */
function assertNoBlankTextBlock(messages: readonly WireMessage[]): void {
  for (const m of messages) {
    if (typeof m.content === 'string') continue;
    for (const b of m.content) if (b.type === 'text') assert.ok(b.text?.trim(), `a text block with words, not ${JSON.stringify(b.text)}`);
  }
}

const userMessages = (items: readonly TimelineItem[]) => items.filter((i): i is MessageItem => i.kind === 'message' && i.role === 'user');

describe('a message that replies to a result and carries files', () => {
  const providers = useLoopbackProviders();

  /** A core with one scheduled run's result in the chat. */
  async function withResult(dataDir?: string): Promise<{ t: TestCore; result: RunResultItem }> {
    const t = await startTestCore({ env: providers.env(), ...(dataDir ? { dataDir } : {}) });
    providers.anthropic.script({ kind: 'stream', chunks: [REPORT] });
    const s = await t.client.call('schedules.add', { name: 'Sales digest', spec: { kind: 'interval', everySeconds: 3600 }, prompt: PROMPT });
    const ran = await t.client.call('schedules.runNow', { scheduleId: s.id });
    await ended(t, ran.runId);
    await t.core.idle();
    const result = (await t.client.call('timeline.list', {})).items.find((i): i is RunResultItem => i.kind === 'run_result');
    assert.ok(result, 'the scheduled run posted its result');
    return { t, result };
  }

  it('reaches Anthropic, OpenAI and Ollama with the result before its text and the files after, and keeps both after a restart', async () => {
    const dir = tempDir();
    try {
      const { t, result } = await withResult(dir.path);
      let closed = false;
      try {
        // Ollama first: its model's small window would fold longer history into a summary.
        providers.ollama.script({ kind: 'stream', chunks: ['Ollama saw the chart.'] });
        await ended(t, (await t.client.call('chat.send', { text: 'OLLAMA-ASK: does the chart agree?', model: 'ollama:llava', replyTo: result.id, attachments: files() })).runId);
        const ollama = lastWith(providers.ollama.requests, '/api/chat', 'OLLAMA-ASK');
        assert.deepEqual(ollama.at(-1), { role: 'user', content: `${QUOTE}\n\nOLLAMA-ASK: does the chart agree?\n\n<file name="sales.csv">\n${CSV}\n</file>`, images: [PNG] });

        providers.anthropic.script({ kind: 'stream', chunks: ['Anthropic saw the chart.'] });
        await ended(t, (await t.client.call('chat.send', { text: 'ANTHROPIC-ASK: does the chart agree?', replyTo: result.id, attachments: files() })).runId);
        const anthropic = lastWith(providers.anthropic.requests, '/v1/messages', 'ANTHROPIC-ASK');
        assert.deepEqual(anthropic.at(-1), {
          role: 'user',
          content: [
            { type: 'text', text: `${QUOTE}\n\nANTHROPIC-ASK: does the chart agree?` },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
            { type: 'document', title: 'sales.csv', source: { type: 'text', media_type: 'text/plain', data: CSV } },
          ],
        });

        providers.openai.script({ kind: 'stream', chunks: ['OpenAI saw the chart.'] });
        await ended(t, (await t.client.call('chat.send', { text: 'OPENAI-ASK: does the chart agree?', model: 'openai:gpt-loop', replyTo: result.id, attachments: files() })).runId);
        const openai = lastWith(providers.openai.requests, '/v1/chat/completions', 'OPENAI-ASK');
        assert.deepEqual(openai.at(-1), {
          role: 'user',
          content: [
            { type: 'text', text: `${QUOTE}\n\nOPENAI-ASK: does the chart agree?` },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
            { type: 'text', text: `<file name="sales.csv">\n${CSV}\n</file>` },
          ],
        });

        // The event names both; the timeline shows both.
        const created = t.events.filter((e) => e.type === 'message.created' && e.data.role === 'user').map((e) => e.data as { replyTo?: string; attachments?: { name: string }[] });
        assert.equal(created.length, 3);
        for (const data of created) {
          assert.equal(data.replyTo, result.id);
          assert.deepEqual(data.attachments?.map((a) => a.name), ['chart.png', 'sales.csv']);
        }
        await t.close({ keepData: true });
        closed = true;
      } finally {
        if (!closed) await t.close({ keepData: true });
      }

      // After a restart the timeline still has both, and the next turn sends all three messages again
      // with their quoted result and their files.
      const again = await startTestCore({ env: providers.env(), dataDir: dir.path });
      try {
        const sent = userMessages((await again.client.call('timeline.list', {})).items);
        assert.deepEqual(
          sent.map((m) => [m.text.slice(0, m.text.indexOf(':')), m.replyTo, m.attachments?.map((a) => `${a.name} ${a.mediaType} ${a.size}`)]),
          ['OLLAMA-ASK', 'ANTHROPIC-ASK', 'OPENAI-ASK'].map((ask) => [ask, result.id, [`chart.png image/png ${Buffer.from(PNG, 'base64').length}`, `sales.csv text/csv ${CSV.length}`]]),
        );
        assert.equal(Buffer.from((await again.client.call('attachments.get', { id: sent[0].attachments![1].id })).data, 'base64').toString('utf8'), CSV);

        providers.anthropic.script({ kind: 'stream', chunks: ['All three agree.'] });
        await ended(again, (await again.client.call('chat.send', { text: 'NEXT-ASK: and together?' })).runId);
        const next = lastWith(providers.anthropic.requests, '/v1/messages', 'NEXT-ASK');
        const earlier = next.filter((m) => m.role === 'user' && JSON.stringify(m.content).includes('-ASK: does the chart agree?'));
        assert.equal(earlier.length, 3, 'the three earlier messages, each its own turn');
        for (const m of earlier) {
          assert.ok(Array.isArray(m.content));
          assert.deepEqual(m.content.map((b) => b.type), ['text', 'image', 'document']);
          assert.ok(m.content[0].text?.startsWith(QUOTE), 'the result quoted before the text');
        }
        assertNoBlankTextBlock(next);
      } finally {
        await again.close();
      }
    } finally {
      dir.cleanup();
    }
  });

  it('asked again after a failed reply, it goes as one user turn holding the result and the files of both tries, with no blank text block', async () => {
    const { t, result } = await withResult();
    try {
      providers.anthropic.script({ kind: 'error', status: 400, type: 'invalid_request_error', message: 'bad' });
      const ask = { text: 'RETRY-ASK: does the chart agree?', replyTo: result.id, attachments: files() };
      await ended(t, (await t.client.call('chat.send', ask)).runId, 'failed');
      // What Retry sends: the same text, result and files.
      providers.anthropic.script({ kind: 'stream', chunks: ['It does.'] });
      const retried = await t.client.call('chat.send', ask);
      await ended(t, retried.runId);
      const messages = lastWith(providers.anthropic.requests, '/v1/messages', 'RETRY-ASK');
      const turn = messages.at(-1)!;
      assert.equal(turn.role, 'user');
      assert.ok(Array.isArray(turn.content));
      assert.deepEqual(turn.content.map((b) => b.type), ['text', 'image', 'document', 'text', 'image', 'document'], 'the failed try and the retry joined into one turn');
      assert.ok(turn.content[3].text?.startsWith(`\n\n${QUOTE}`), 'the blank line joins the second try’s text');
      assertNoBlankTextBlock(messages);
      const sent = userMessages((await t.client.call('timeline.list', {})).items).find((m) => m.id === retried.messageId);
      assert.equal(sent?.replyTo, result.id);
      assert.equal(sent?.attachments?.length, 2);
    } finally {
      await t.close();
    }
  });
});
