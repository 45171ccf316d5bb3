import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import type { ServerFrame } from '../../../core/contract/index.js';
import { startTestHost, waitFor, type TestHost } from '../../support/index.js';

/** A socket that collects every frame it is sent and notes when it closes. */
async function openSocket(url: string): Promise<{ ws: WebSocket; frames: Record<string, unknown>[]; closed: () => number | null }> {
  const ws = new WebSocket(url);
  const frames: Record<string, unknown>[] = [];
  let closeCode: number | null = null;
  ws.on('message', (data) => frames.push(JSON.parse(data.toString()) as Record<string, unknown>));
  ws.on('close', (code) => (closeCode = code));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return { ws, frames, closed: () => closeCode };
}

const BAD_UTF8: [string, Buffer][] = [
  ['a lone continuation byte', Buffer.from([0x7b, 0x80, 0x7d])],
  ['a truncated sequence at the end', Buffer.concat([Buffer.from('{"id":1,"command":"system.ping","args":{}}'), Buffer.from([0xe2, 0x82])])],
  ['an overlong encoding of "/"', Buffer.from([0x22, 0xc0, 0xaf, 0x22])],
  ['an encoded surrogate (CESU-8)', Buffer.concat([Buffer.from('{"id":2,"command":"memory.add","args":{"text":"a'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}}')])],
  ['a byte that never appears in UTF-8', Buffer.from([0xff, 0xfe, 0x7b, 0x7d])],
];

describe('frames that are not valid text', () => {
  let host: TestHost;
  before(async () => {
    host = await startTestHost();
  });
  after(async () => {
    await host.close();
  });

  it('a WebSocket text frame of invalid UTF-8 gets invalid_input, the connection stays open and what came before and after is kept', async () => {
    const { ws, frames, closed } = await openSocket(host.server.wsUrl);
    try {
      ws.send(JSON.stringify({ id: 'before', command: 'memory.add', args: { text: 'the boiler is serviced in October' } }));
      for (const [, bytes] of BAD_UTF8) ws.send(bytes, { binary: false });
      ws.send(JSON.stringify({ id: 'after', command: 'memory.add', args: { text: 'the spare key is under the blue pot' } }));
      await waitFor(() => frames.some((f) => f.id === 'after'), 'the reply to the frame after the bad ones');
      const refusals = frames.filter((f) => f.ok === false);
      assert.equal(refusals.length, BAD_UTF8.length, JSON.stringify(frames));
      for (const r of refusals) assert.deepEqual(r, { id: null, ok: false, error: { code: 'invalid_input', message: 'the frame is not valid UTF-8 text' } });
      assert.equal(frames.find((f) => f.id === 'before')?.ok, true);
      assert.equal(frames.find((f) => f.id === 'after')?.ok, true);
      assert.equal(closed(), null, 'the connection is still open');
      const { memories } = await host.client.call('memory.list', {});
      assert.deepEqual(memories.map((m) => m.text).sort(), ['the boiler is serviced in October', 'the spare key is under the blue pot']);
    } finally {
      ws.close();
    }
  });

  it('a lone surrogate, escaped in JSON or in a frame object over IPC, is refused with its frame id rather than stored as U+FFFD', async () => {
    const { ws, frames } = await openSocket(host.server.wsUrl);
    try {
      // Valid UTF-8 on the wire, but the JSON escape makes half a character.
      ws.send('{"id":7,"command":"memory.add","args":{"text":"half \\ud83d of a smile"}}');
      ws.send('{"id":8,"command":"system.ping","args":{"\\udc00":1}}');
      await waitFor(() => frames.filter((f) => f.id === 7 || f.id === 8).length === 2, 'both replies');
      for (const id of [7, 8]) {
        const reply = frames.find((f) => f.id === id) as { ok: boolean; error: { code: string; message: string } };
        assert.equal(reply.ok, false);
        assert.equal(reply.error.code, 'invalid_input');
        assert.match(reply.error.message, /not valid Unicode text/);
      }
    } finally {
      ws.close();
    }

    // The desktop window's frames arrive as objects (Electron's structured clone keeps lone surrogates).
    const sent: ServerFrame[] = [];
    const session = host.core.gateway.openSession((f) => sent.push(f), 'ipc');
    try {
      await session.receive({ id: 9, command: 'chat.send', args: { text: 'hello \ud800 there' } });
      await session.receive({ id: 10, command: 'memory.add', args: { text: 'whole 😀 smile' } });
      const refused = sent.find((f) => 'id' in f && f.id === 9);
      assert.ok(refused && 'ok' in refused && !refused.ok && refused.error.code === 'invalid_input', JSON.stringify(sent));
      const kept = sent.find((f) => 'id' in f && f.id === 10);
      assert.ok(kept && 'ok' in kept && kept.ok, JSON.stringify(kept));
    } finally {
      session.close();
    }
    const { runs } = await host.client.call('runs.list', {});
    assert.equal(runs.length, 0, 'the refused chat.send started no run');
    const { memories } = await host.client.call('memory.list', {});
    assert.ok(memories.some((m) => m.text === 'whole 😀 smile'), 'a well-formed emoji is kept as sent');
    assert.ok(!memories.some((m) => m.text.includes('\ufffd')), 'nothing was stored with a replacement character');
  });
});
