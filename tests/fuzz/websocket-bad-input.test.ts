import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { WebSocket } from 'ws';
import { COMMAND_NAMES, ERROR_CODES } from '../../core/contract/index.js';
import { startTestHost, type TestHost } from '../support/index.js';

type Malformed = { label: string; payload: string | Buffer; expectId: number | string | null; code?: string };

function deepNesting(depth: number): string {
  return '['.repeat(depth) + ']'.repeat(depth);
}

/** 200 broken messages of every kind a confused or hostile client could send. */
function malformedMessages(): Malformed[] {
  const out: Malformed[] = [];
  let id = 1000;
  const notJson = fc.sample(fc.string({ minLength: 1, maxLength: 60 }).filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }), { seed: 42, numRuns: 30 });
  for (const s of notJson) out.push({ label: `not JSON ${JSON.stringify(s)}`, payload: s, expectId: null, code: 'invalid_input' });
  for (const s of ['{', '{"id":1,', 'undefined', 'NaN', "{'id':1}", '\u0000', '[1,2', '{"id":1}}']) {
    out.push({ label: `not JSON ${s}`, payload: s, expectId: null, code: 'invalid_input' });
  }
  const shapes: unknown[] = [null, 1, 'text', true, [], [1, 2], {}, { id: {} }, { id: [], command: 'system.ping' }, { command: 'system.ping' }, { id: 'x'.repeat(101), command: 'system.ping' }];
  for (const v of shapes) out.push({ label: `wrong shape ${JSON.stringify(v).slice(0, 40)}`, payload: JSON.stringify(v), expectId: null, code: 'invalid_input' });
  // A fractional id is not a valid id, but it can still be echoed so the client can pair the error.
  out.push({ label: 'fractional id', payload: JSON.stringify({ id: 1.5, command: 'system.ping' }), expectId: 1.5, code: 'invalid_input' });
  const wrongShapesWithId: unknown[] = [{ command: 5 }, { command: null }, { command: ['system.ping'] }, { command: 'x'.repeat(101) }, { command: {} }];
  for (const v of wrongShapesWithId) {
    const frameId = id++;
    out.push({ label: `wrong shape with id ${JSON.stringify(v).slice(0, 40)}`, payload: JSON.stringify({ id: frameId, ...(v as object) }), expectId: frameId, code: 'invalid_input' });
  }
  const unknown = ['', 'nope', 'system', 'system.', 'runs.delete', '__proto__', 'constructor', 'toString', 'hasOwnProperty', 'chat.send ', 'CHAT.SEND', '../system.ping'];
  for (const command of unknown) {
    const frameId = id++;
    out.push({ label: `unknown command ${command}`, payload: JSON.stringify({ id: frameId, command, args: {} }), expectId: frameId, code: 'invalid_input' });
  }
  const badArgs: [string, unknown][] = [
    ['chat.send', {}],
    ['chat.send', { text: '' }],
    ['chat.send', { text: '   ' }],
    ['chat.send', { text: 5 }],
    ['chat.send', { text: null }],
    ['chat.send', { text: 'hi', model: 42 }],
    ['chat.send', { text: 'hi', extra: true }],
    ['chat.send', { text: 'x'.repeat(100_001) }],
    ['chat.send', 'hi'],
    ['chat.send', ['hi']],
    ['runs.list', { limit: 0 }],
    ['runs.list', { limit: 1e9 }],
    ['runs.list', { limit: 'ten' }],
    ['runs.list', { status: 'exploded' }],
    ['runs.get', {}],
    ['runs.get', { runId: '' }],
    ['runs.get', { runId: 7 }],
    ['runs.get', { runId: 'r'.repeat(201) }],
    ['runs.cancel', { runId: null }],
    ['runs.cancel', { runId: { $ne: 1 } }],
    ['timeline.list', { beforeSeq: -1 }],
    ['timeline.list', { beforeSeq: 1.5 }],
    ['timeline.list', { limit: 20_001 }],
    ['events.since', {}],
    ['events.since', { fromSeq: -5 }],
    ['events.since', { fromSeq: 'zero' }],
    ['events.subscribe', {}],
    ['events.subscribe', { fromSeq: -1 }],
    ['events.subscribe', { fromSeq: 0, extra: 1 }],
    ['events.unsubscribe', { now: true }],
    ['settings.get', { secret: true }],
    ['system.ping', { payload: 1 }],
    ['system.ping', 5],
    ['system.info', { verbose: 1 }],
    ['system.doctor', { probeProviders: 'yes' }],
  ];
  for (const [command, args] of badArgs) {
    const frameId = id++;
    out.push({ label: `invalid args for ${command}: ${JSON.stringify(args).slice(0, 40)}`, payload: JSON.stringify({ id: frameId, command, args }), expectId: frameId, code: 'invalid_input' });
  }
  // Random argument values for every command whose arguments must be an object with known keys:
  // an object with an unexpected key is never valid under the strict schemas.
  const randomArgs = fc.sample(fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }).map((k) => `zz_${k}`), fc.jsonValue(), { minKeys: 1, maxKeys: 4 }), { seed: 7, numRuns: 40 });
  const strictCommands = COMMAND_NAMES.filter((c) => c !== 'settings.update');
  randomArgs.forEach((args, i) => {
    const command = strictCommands[i % strictCommands.length];
    const frameId = id++;
    out.push({ label: `random args for ${command}`, payload: JSON.stringify({ id: frameId, command, args }), expectId: frameId, code: 'invalid_input' });
  });
  for (const size of [200_000, 500_000, 900_000]) {
    const frameId = id++;
    out.push({ label: `huge command name ${size}`, payload: JSON.stringify({ id: frameId, command: 'c'.repeat(size) }), expectId: frameId, code: 'invalid_input' });
    const frameId2 = id++;
    out.push({ label: `huge run id ${size}`, payload: JSON.stringify({ id: frameId2, command: 'runs.get', args: { runId: 'r'.repeat(size) } }), expectId: frameId2, code: 'invalid_input' });
    out.push({ label: `huge junk ${size}`, payload: 'j'.repeat(size), expectId: null, code: 'invalid_input' });
  }
  for (const depth of [100, 1000, 10_000, 100_000]) {
    const frameId = id++;
    out.push({ label: `deep args ${depth}`, payload: `{"id":${frameId},"command":"runs.get","args":${deepNesting(depth)}}`, expectId: frameId, code: 'invalid_input' });
    out.push({ label: `deep frame ${depth}`, payload: deepNesting(depth), expectId: null, code: 'invalid_input' });
    const frameId2 = id++;
    out.push({ label: `deep object args ${depth}`, payload: `{"id":${frameId2},"command":"chat.send","args":{"text":"hi","model":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}`, expectId: frameId2, code: 'invalid_input' });
  }
  const binaries = fc.sample(fc.uint8Array({ minLength: 0, maxLength: 64 }), { seed: 3, numRuns: 10 });
  for (const bytes of binaries) out.push({ label: `binary ${bytes.length} bytes`, payload: Buffer.from(bytes), expectId: null, code: 'invalid_input' });
  out.push({ label: 'binary JSON', payload: Buffer.from(JSON.stringify({ id: 1, command: 'system.ping', args: {} })), expectId: null, code: 'invalid_input' });
  while (out.length < 200) {
    const frameId = id++;
    out.push({ label: `prototype pollution ${out.length}`, payload: `{"id":${frameId},"command":"system.ping","args":{"__proto__":{"polluted":true}}}`, expectId: frameId, code: 'invalid_input' });
  }
  return out.slice(0, 200);
}

describe('the WebSocket host under malformed input', () => {
  let host: TestHost;
  before(async () => {
    host = await startTestHost();
  });
  after(async () => {
    await host.close();
  });

  it('answers each of 200 malformed messages with a typed error and stays usable on the same connection', async () => {
    const messages = malformedMessages();
    assert.equal(messages.length, 200);
    const ws = new WebSocket(host.server.wsUrl);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const replies: Record<string, unknown>[] = [];
    let waiter: (() => void) | null = null;
    ws.on('message', (data) => {
      replies.push(JSON.parse(data.toString()) as Record<string, unknown>);
      waiter?.();
    });
    const nextReply = async () => {
      while (!replies.length) await new Promise<void>((resolve) => (waiter = resolve));
      return replies.shift()!;
    };
    const runsBefore = (await host.client.call('runs.list', {})).runs.length;
    for (const message of messages) {
      ws.send(message.payload, { binary: Buffer.isBuffer(message.payload) });
      const reply = await nextReply();
      assert.equal(reply.ok, false, message.label);
      assert.equal(reply.id, message.expectId, message.label);
      const error = reply.error as { code: string; message: string };
      assert.ok((ERROR_CODES as readonly string[]).includes(error.code), message.label);
      if (message.code) assert.equal(error.code, message.code, `${message.label}: ${error.message}`);
      assert.ok(error.message.length > 0 && error.message.length < 2000, `${message.label}: a short readable message`);
      assert.doesNotMatch(error.message, /\n\s+at /, `${message.label}: no stack trace`);
      assert.equal(Object.keys(reply).sort().join(','), 'error,id,ok', message.label);
    }
    ws.send(JSON.stringify({ id: 'after', command: 'system.ping', args: {} }));
    const pong = await nextReply();
    assert.equal(pong.ok, true);
    assert.equal(pong.id, 'after');
    assert.equal(({} as Record<string, unknown>).polluted, undefined, 'no prototype was polluted');
    assert.equal((await host.client.call('runs.list', {})).runs.length, runsBefore, 'no bad message started a run');
    ws.close();
    const fresh = host.connect();
    assert.ok((await fresh.call('system.ping', {})).now > 0, 'a new connection is served too');
  });
});
