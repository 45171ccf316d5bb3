import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AppEvent, ServerFrame } from '../../../core/contract/index.js';
import { AnthropicLoopback, startTestCore, waitFor, type TestCore } from '../../support/index.js';
import { chat, toolEvents } from './helpers.js';

/** A window's session as the WebSocket transport opens it: frames in, frames out. */
function openWindow(t: TestCore) {
  const frames: ServerFrame[] = [];
  const session = t.core.gateway.openSession((frame) => frames.push(frame), 'websocket');
  let nextId = 1;
  const call = async (command: string, args: unknown) => {
    const id = nextId++;
    await session.receive(JSON.stringify({ id, command, args }));
    const reply = await waitFor(() => frames.find((f) => 'id' in f && f.id === id), `reply to ${command}`);
    assert.ok('ok' in reply && reply.ok, JSON.stringify(reply));
  };
  const events = () => frames.flatMap((f) => ('event' in f ? [f.event as AppEvent] : []));
  return { session, call, events };
}

describe('the notify tool without a native notifier', () => {
  let anthropic: AnthropicLoopback;
  let t: TestCore;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
    t = await startTestCore({ env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url } });
    await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'notify', pattern: '*' });
  });
  after(async () => {
    await t.close();
    await anthropic.close();
  });

  const scriptNotify = (title: string) =>
    anthropic.script(
      { kind: 'stream', toolCalls: [{ name: 'notify', arguments: { title, body: 'the build is green' } }] },
      { kind: 'stream', chunks: ['Done.'] },
    );

  it('fails with unavailable when only a client that never announced notifications (like the CLI) follows the log', async () => {
    assert.equal(t.core.notifier, null);
    scriptNotify('Build finished');
    const { run, events } = await chat(t, 'tell me when the build is done');
    assert.equal(run.status, 'done', run.error ?? '');
    const [result] = toolEvents(events);
    assert.equal(result.tool, 'notify');
    assert.equal(result.ok, false);
    assert.equal(result.error?.code, 'unavailable');
    assert.match(result.error?.message ?? '', /no window is open/);
    assert.equal(events.filter((e) => e.type === 'notification.requested').length, 0);
  });

  it('appends notification.requested for the run when a window that announced notifications is subscribed, and every subscriber sees it', async () => {
    const win = openWindow(t);
    try {
      await win.call('client.hello', { capabilities: ['notifications'] });
      // Announced but not yet following the log: it would not see the request.
      assert.equal(t.core.gateway.clientsThatCan('notifications'), 0);
      await win.call('events.subscribe', { fromSeq: t.core.log.head() });
      assert.equal(t.core.gateway.clientsThatCan('notifications'), 1);

      scriptNotify('Build finished');
      const { run, events } = await chat(t, 'tell me when the build is done');
      assert.equal(run.status, 'done', run.error ?? '');
      const [result] = toolEvents(events);
      assert.equal(result.ok, true, JSON.stringify(result.error));
      assert.equal(result.output, 'notification shown');
      const requested = events.filter((e) => e.type === 'notification.requested');
      assert.equal(requested.length, 1);
      assert.deepEqual(requested[0].data, { title: 'Build finished', body: 'the build is green' });
      assert.equal(requested[0].runId, run.id);
      await waitFor(() => win.events().some((e) => e.seq === requested[0].seq), 'the window got the request');
    } finally {
      win.session.close();
    }
  });

  it('fails again once the window unsubscribed or closed', async () => {
    const win = openWindow(t);
    await win.call('client.hello', { capabilities: ['notifications'] });
    await win.call('events.subscribe', { fromSeq: t.core.log.head() });
    await win.call('events.unsubscribe', {});
    assert.equal(t.core.gateway.clientsThatCan('notifications'), 0);
    await win.call('events.subscribe', { fromSeq: t.core.log.head() });
    win.session.close();
    assert.equal(t.core.gateway.clientsThatCan('notifications'), 0);

    scriptNotify('Anyone there?');
    const { run, events } = await chat(t, 'ping me');
    assert.equal(run.status, 'done', run.error ?? '');
    assert.equal(toolEvents(events)[0].error?.code, 'unavailable');
  });

  it('keeps using the native notifier when core has one, without an event', async () => {
    const shown: { title: string; body: string; runId?: string }[] = [];
    const native = await startTestCore({
      env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url },
      notifier: { notify: (n) => void shown.push(n) },
    });
    try {
      await native.client.call('permissions.rules.add', { effect: 'allow', capability: 'notify', pattern: '*' });
      scriptNotify('Native');
      const { run, events } = await chat(native, 'notify me');
      assert.equal(toolEvents(events)[0].ok, true);
      assert.deepEqual(shown, [{ title: 'Native', body: 'the build is green', runId: run.id }]);
      assert.equal(events.filter((e) => e.type === 'notification.requested').length, 0);
    } finally {
      await native.close();
    }
  });

  it('client.hello is refused outside a session and with an unknown capability', async () => {
    await assert.rejects(t.core.gateway.call('client.hello', { capabilities: ['notifications'] }), /needs a session/);
    const frames: ServerFrame[] = [];
    const session = t.core.gateway.openSession((frame) => frames.push(frame), 'websocket');
    await session.receive({ id: 1, command: 'client.hello', args: { capabilities: ['telepathy'] } });
    session.close();
    assert.equal(frames.length, 1);
    assert.ok('ok' in frames[0] && !frames[0].ok && frames[0].error.code === 'invalid_input');
  });
});
