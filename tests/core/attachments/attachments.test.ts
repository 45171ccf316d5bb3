import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ATTACHMENT_LIMITS, type AppError, type MessageItem } from '../../../core/contract/index.js';
import { chunk, startTestCore, tempDir, useLoopbackProviders, waitFor, type TestCore } from '../../support/index.js';

/** A real 1×1 PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const NOTES = 'Shopping list\n- milk\n- bread\n';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
const files = () => [
  { name: 'pixel.png', mediaType: 'image/png', data: PNG },
  { name: 'notes.md', mediaType: 'text/markdown', data: b64(NOTES) },
];

async function done(t: TestCore, runId: string): Promise<void> {
  await waitFor(async () => ['done', 'failed'].includes((await t.client.call('runs.get', { runId })).status), 'the run to end');
  assert.equal((await t.client.call('runs.get', { runId })).status, 'done');
}

describe('attachments sent with a message', () => {
  const providers = useLoopbackProviders();

  it('reach Anthropic as an image block and a text document, and the next turn sends them again', async () => {
    const t = await startTestCore({ env: providers.env() });
    try {
      providers.anthropic.script({ kind: 'stream', chunks: ['A pixel and a list.'] }, { kind: 'stream', chunks: ['Milk and bread.'] });
      await done(t, (await t.client.call('chat.send', { text: 'what are these?', attachments: files() })).runId);
      const first = providers.anthropic.requests.at(-1)!.body as { messages: { role: string; content: unknown }[] };
      assert.deepEqual(first.messages.at(-1), {
        role: 'user',
        content: [
          { type: 'text', text: 'what are these?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          { type: 'document', title: 'notes.md', source: { type: 'text', media_type: 'text/plain', data: NOTES } },
        ],
      });
      await done(t, (await t.client.call('chat.send', { text: 'and the list again?' })).runId);
      const second = providers.anthropic.requests.at(-1)!.body as { messages: { role: string; content: unknown }[] };
      assert.deepEqual(second.messages[0], first.messages.at(-1), 'the earlier message keeps its files in the history');
    } finally {
      await t.close();
    }
  });

  it('reach an OpenAI-compatible server as an image_url data URL and the text file inline', async () => {
    const t = await startTestCore({ env: providers.env() });
    try {
      providers.openai.script({ kind: 'stream', chunks: chunk('Seen.', 2) });
      await done(t, (await t.client.call('chat.send', { text: 'look', model: 'openai:gpt-loop', attachments: files() })).runId);
      const body = providers.openai.requests.at(-1)!.body as { messages: { role: string; content: unknown }[] };
      assert.deepEqual(body.messages.at(-1), {
        role: 'user',
        content: [
          { type: 'text', text: 'look' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
          { type: 'text', text: `<file name="notes.md">\n${NOTES}\n</file>` },
        ],
      });
    } finally {
      await t.close();
    }
  });

  it('reach Ollama as images beside the text, the text file read inline', async () => {
    const t = await startTestCore({ env: providers.env() });
    try {
      providers.ollama.script({ kind: 'stream', chunks: ['Seen.'] });
      await done(t, (await t.client.call('chat.send', { text: 'look', model: 'ollama:llava', attachments: files() })).runId);
      const body = providers.ollama.requests.at(-1)!.body as { messages: { role: string; content: string; images?: string[] }[] };
      assert.deepEqual(body.messages.at(-1), { role: 'user', content: `look\n\n<file name="notes.md">\n${NOTES}\n</file>`, images: [PNG] });
    } finally {
      await t.close();
    }
  });

  it('are named in the timeline and their bytes come back from attachments.get, after a restart too', async () => {
    const dir = tempDir();
    try {
      let t = await startTestCore({ env: providers.env(), dataDir: dir.path });
      providers.anthropic.script({ kind: 'stream', chunks: ['ok'] });
      await done(t, (await t.client.call('chat.send', { text: 'keep these', attachments: files() })).runId);
      await t.close({ keepData: true });
      t = await startTestCore({ env: providers.env(), dataDir: dir.path });
      try {
        const { items } = await t.client.call('timeline.list', {});
        const sent = items.find((i): i is MessageItem => i.kind === 'message' && i.role === 'user')!;
        assert.deepEqual(
          sent.attachments?.map(({ name, mediaType, size }) => ({ name, mediaType, size })),
          [
            { name: 'pixel.png', mediaType: 'image/png', size: Buffer.from(PNG, 'base64').length },
            { name: 'notes.md', mediaType: 'text/markdown', size: NOTES.length },
          ],
        );
        const image = await t.client.call('attachments.get', { id: sent.attachments![0].id });
        assert.equal(image.data, PNG);
        const text = await t.client.call('attachments.get', { id: sent.attachments![1].id });
        assert.equal(Buffer.from(text.data, 'base64').toString('utf8'), NOTES);
        await assert.rejects(t.client.call('attachments.get', { id: 'att_none' }), (err: AppError) => err.code === 'not_found');
      } finally {
        await t.close({ keepData: true });
      }
    } finally {
      dir.cleanup();
    }
  });

  it('are refused in plain words when of a type, a content or a size the models cannot take, and nothing is stored', async () => {
    const t = await startTestCore({ env: providers.env() });
    try {
      const refused = async (attachments: { name: string; mediaType: string; data: string }[], message: RegExp) => {
        await assert.rejects(t.client.call('chat.send', { text: 'see attached', attachments }), (err: AppError) => {
          assert.equal(err.code, 'invalid_input');
          assert.match(err.message, message);
          return true;
        });
      };
      await refused([{ name: 'movie.mp4', mediaType: 'video/mp4', data: b64('x') }], /movie\.mp4 cannot be attached: only images \(PNG, JPEG, GIF, WebP\) and text files/);
      await refused([{ name: 'fake.png', mediaType: 'image/png', data: b64('not a picture') }], /fake\.png is not a PNG image/);
      await refused([{ name: 'data.txt', mediaType: 'text/plain', data: Buffer.from([0xff, 0xfe, 0x00, 0xc3]).toString('base64') }], /data\.txt is not UTF-8 text/);
      await refused([{ name: 'big.txt', mediaType: 'text/plain', data: b64('a'.repeat(ATTACHMENT_LIMITS.maxTextBytes + 1)) }], /big\.txt is larger than the 256 KB a text file can be/);
      const third = b64('b'.repeat(250 * 1024));
      await refused(
        [1, 2, 3].map((n) => ({ name: `part${n}.txt`, mediaType: 'text/plain', data: third })),
        /The files come to 750 KB; a message can carry up to 700 KB of files/,
      );
      await refused(
        [1, 2, 3, 4, 5].map((n) => ({ name: `f${n}.txt`, mediaType: 'text/plain', data: b64('x') })),
        /at most 4 files/,
      );
      await refused([{ name: '../../etc/passwd', mediaType: 'text/plain', data: b64('x') }], /without slashes/);
      assert.equal((await t.client.call('timeline.list', {})).items.length, 0);
      assert.equal((await t.client.call('runs.list', {})).runs.length, 0);
      assert.equal(t.core.db.prepare('SELECT count(*) FROM attachments').pluck().get(), 0);
    } finally {
      await t.close();
    }
  });

  it('a key pasted into an attached text file is stored masked and the reply says so', async () => {
    const t = await startTestCore({ env: providers.env() });
    try {
      providers.anthropic.script({ kind: 'stream', chunks: ['ok'] });
      const sent = await t.client.call('chat.send', { text: 'my config', attachments: [{ name: 'env.txt', mediaType: 'text/plain', data: b64('KEY=sk-ant-test-key-000000\n') }] });
      assert.ok(sent.notice, 'the reply carries a notice');
      await done(t, sent.runId);
      const body = JSON.stringify(providers.anthropic.requests.at(-1)!.body);
      assert.ok(!body.includes('sk-ant-test-key-000000'), 'the model never sees the key');
      const stored = t.core.db.prepare('SELECT data FROM attachments').pluck().get() as Buffer;
      assert.ok(!stored.toString('utf8').includes('sk-ant-test-key-000000'), 'the data folder never holds it');
    } finally {
      await t.close();
    }
  });
});
