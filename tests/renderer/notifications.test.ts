import assert from 'node:assert/strict';
import { test } from 'node:test';
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
