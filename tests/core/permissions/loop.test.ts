import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '../../../core/util/clock.js';
import { AnthropicLoopback, startTestCore, tempDir, waitFor, lastChatRequest } from '../../support/index.js';

describe('approvals inside the real agent loop', () => {
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(async () => {
    await anthropic.close();
  });

  it('an expired request denies; the run continues and the model sees the tool error', async () => {
    const dir = tempDir();
    const root = join(dir.path, 'root');
    mkdirSync(root);
    const clock = new ManualClock(Date.now());
    const t = await startTestCore({ dataDir: join(dir.path, 'data'), clock, allowedRoots: [root], resolveHost: null, env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url } });
    try {
      await t.client.call('permissions.config.update', { expiryMs: 30_000 });
      anthropic.script({ kind: 'stream', toolCalls: [{ name: 'write_text', arguments: { path: 'plan.md', text: 'plan' } }] }, { kind: 'stream', chunks: ['I could not write the file.'] });
      const { runId } = await t.client.call('chat.send', { text: 'write my plan' });
      await waitFor(async () => (await t.client.call('runs.get', { runId })).status === 'waiting_permission', 'waiting');
      const before = anthropic.requests.length;
      clock.advance(30_000);
      await waitFor(async () => (await t.client.call('runs.get', { runId })).status === 'done', 'done');
      assert.equal(anthropic.requests.length - before, 1, 'the loop went back to the model');
      const sent = JSON.stringify(lastChatRequest(anthropic).body);
      assert.match(sent, /permission denied \(expiry\)/);
      assert.match(sent, /"is_error":true/);
      assert.equal(existsSync(join(root, 'plan.md')), false);
      const statuses = t.events.filter((e) => e.type === 'run.status' && e.runId === runId).map((e) => (e.type === 'run.status' ? e.data.to : ''));
      assert.deepEqual(statuses, ['running', 'waiting_permission', 'running', 'done']);
    } finally {
      await t.close();
      dir.cleanup();
    }
  });

  it('cancelling a run that waits for an answer closes the request before the run ends; nothing of it follows', async () => {
    const dir = tempDir();
    const root = join(dir.path, 'root');
    mkdirSync(root);
    const t = await startTestCore({ dataDir: join(dir.path, 'data'), allowedRoots: [root], resolveHost: null, env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url } });
    try {
      anthropic.script({ kind: 'stream', toolCalls: [{ name: 'run_command', arguments: { command: 'echo hi > made.txt' } }] });
      const { runId } = await t.client.call('chat.send', { text: 'make a file' });
      const request = await waitFor(async () => (await t.client.call('permissions.pending', {})).requests[0], 'request');
      await t.client.call('runs.cancel', { runId });
      await t.core.idle();
      const ofRun = t.core.log.since(0, 100_000).filter((e) => e.runId === runId);
      const closed = ofRun.findIndex((e) => e.type === 'permission.decided' && e.data.requestId === request.requestId);
      const cancelled = ofRun.findIndex((e) => e.type === 'run.status' && e.data.to === 'cancelled');
      assert.ok(closed >= 0 && closed < cancelled, 'closed before cancelled');
      assert.equal(cancelled, ofRun.length - 1, 'nothing of the run after cancelled');
      assert.equal(existsSync(join(root, 'made.txt')), false);
      assert.deepEqual((await t.client.call('permissions.pending', {})).requests, []);
    } finally {
      await t.close();
      dir.cleanup();
    }
  });

  it('allow once lets exactly that call run, and the next identical call asks again', async () => {
    const dir = tempDir();
    const root = join(dir.path, 'root');
    mkdirSync(root);
    const t = await startTestCore({ dataDir: join(dir.path, 'data'), allowedRoots: [root], resolveHost: null, env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url } });
    try {
      const call = { name: 'write_text', arguments: { path: 'a.md', text: 'a' } };
      anthropic.script({ kind: 'stream', toolCalls: [call] }, { kind: 'stream', toolCalls: [call] }, { kind: 'stream', chunks: ['ok'] });
      const { runId } = await t.client.call('chat.send', { text: 'write twice' });
      const first = await waitFor(async () => (await t.client.call('permissions.pending', {})).requests[0], 'first request');
      await t.client.call('permissions.answer', { requestId: first.requestId, decision: 'allow' });
      const second = await waitFor(async () => (await t.client.call('permissions.pending', {})).requests.find((r) => r.requestId !== first.requestId), 'second request');
      assert.equal(existsSync(join(root, 'a.md')), true, 'the first call ran');
      await t.client.call('permissions.answer', { requestId: second.requestId, decision: 'deny' });
      await waitFor(async () => (await t.client.call('runs.get', { runId })).status === 'done', 'done');
      const cards = t.events.filter((e) => e.type === 'tool.completed' && e.runId === runId).map((e) => (e.type === 'tool.completed' ? [e.data.ok, e.data.error?.code ?? null] : null));
      assert.deepEqual(cards, [[true, null], [false, 'denied']]);
    } finally {
      await t.close();
      dir.cleanup();
    }
  });
});
