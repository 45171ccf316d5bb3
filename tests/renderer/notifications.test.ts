import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AppEvent } from '../../core/contract/index.js';
import { connectInProcess } from '../../core/gateway/inprocess.js';
import { ManualClock } from '../../core/util/clock.js';
import { announceNotifications, createAppStore, startAppStore } from '../../renderer/store/index.js';
import { startTestCore, waitFor } from '../support/index.js';

test('a window that announced notifications shows live requests as toasts, but not ones stamped before it loaded', async () => {
  const pageLoad = Date.now();
  // Core's clock stamps the events; the page compares them with its own load time.
  const clock = new ManualClock(pageLoad - 5_000);
  const t = await startTestCore({ clock });
  const client = connectInProcess(t.core.gateway, { reconnect: true });
  const request = (title: string) => t.core.log.transaction(() => t.core.log.append('notification.requested', { title, body: 'b' }, null));
  try {
    const store = createAppStore(client);
    const stopAnnouncing = announceNotifications(store, client);
    const stop = await startAppStore(store, client);
    await waitFor(() => t.core.gateway.clientsThatCan('notifications') === 1, 'the announcement');
    assert.equal(store.getState().notificationAccess, 'unsupported', 'Node has no Notification API: toasts only');

    request('before the page loaded');
    clock.advance(Date.now() - clock.now());
    request('live');
    await waitFor(() => store.getState().toasts.length > 0, 'a toast');
    // Events apply in order, so every earlier request was already looked at.
    assert.deepEqual(store.getState().toasts.map((toast) => toast.title), ['live']);

    store.getState().dismissToast(store.getState().toasts[0].id);
    assert.equal(store.getState().toasts.length, 0);
    stop();
    stopAnnouncing();
  } finally {
    client.close();
    await t.close();
  }
  assert.equal(t.core.gateway.clientsThatCan('notifications'), 0, 'a closed window no longer counts');
});

test('a window that did not announce (the desktop one) shows nothing and is not counted', async () => {
  const t = await startTestCore();
  const client = connectInProcess(t.core.gateway, { reconnect: true });
  try {
    const store = createAppStore(client);
    const stop = await startAppStore(store, client);
    assert.equal(t.core.gateway.clientsThatCan('notifications'), 0);
    t.core.log.transaction(() => t.core.log.append('notification.requested', { title: 'x', body: '' }, null));
    t.core.log.transaction(() => t.core.log.append('message.created', { messageId: 'm1', role: 'user', text: 'after', status: 'done' }, null));
    await waitFor(() => store.getState().timelineItems.some((item) => item.id === 'm1'), 'the later event');
    assert.equal(store.getState().toasts.length, 0);
    stop();
  } finally {
    client.close();
    await t.close();
  }
});

test('a hidden window applies each pushed event at once (the browser slows its timers); a shown one waits for its frame', async () => {
  const t = await startTestCore();
  const client = connectInProcess(t.core.gateway, { reconnect: true });
  const seen: { deliver: ((event: AppEvent) => void) | null } = { deliver: null };
  const subscribe = client.subscribe.bind(client);
  client.subscribe = (fromSeq, onEvent) => {
    seen.deliver = onEvent;
    return subscribe(fromSeq, onEvent);
  };
  const globals = globalThis as { document?: { hidden: boolean } };
  const message = (seq: number, id: string): AppEvent => ({ seq, ts: Date.now(), runId: null, type: 'message.created', data: { messageId: id, role: 'user', text: id, status: 'done' } });
  try {
    const store = createAppStore(client);
    const stop = await startAppStore(store, client);
    const deliver = seen.deliver;
    assert.ok(deliver, 'the store follows the log');
    const shown = (id: string) => store.getState().timelineItems.some((item) => item.id === id);
    globals.document = { hidden: false };
    deliver(message(1_000_001, 'while shown'));
    assert.equal(shown('while shown'), false, 'a shown window applies it with its next frame (or the batch timer), not inside the socket message');
    await waitFor(() => shown('while shown'), 'the batch');
    globals.document = { hidden: true };
    deliver(message(1_000_002, 'while hidden'));
    assert.equal(shown('while hidden'), true, 'a hidden window applies it at once');
    stop();
  } finally {
    delete globals.document;
    client.close();
    await t.close();
  }
});
