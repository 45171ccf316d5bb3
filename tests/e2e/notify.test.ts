import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { waitFor } from '../support/index.js';
import { assistantRows, connectionState, launchBrowser, sendMessage, startApp, type E2EApp } from './support/app.js';

/** Scripts one `notify` call and its closing answer, sends a message and waits for the run to end. */
async function notifyThroughChat(app: E2EApp, title: string, answer: string): Promise<void> {
  app.anthropic.script(
    { kind: 'stream', toolCalls: [{ name: 'notify', arguments: { title, body: 'from the agent' } }] },
    { kind: 'stream', chunks: [answer] },
  );
  await sendMessage(app.page, `notify me: ${title}`);
  await assistantRows(app.page).filter({ hasText: answer }).waitFor();
}

async function allowNotify(app: E2EApp): Promise<void> {
  await app.host.core.gateway.call('permissions.rules.add', { effect: 'allow', capability: 'notify', pattern: '*' });
}

/** The page announced itself to core as a window that shows notifications. */
async function announced(app: E2EApp): Promise<void> {
  await waitFor(() => app.host.core.gateway.clientsThatCan('notifications') === 1, 'the page to announce notifications');
}

describe('notifications in the browser UI', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('a live notify request shows a toast in the page, and a reload does not show it again', async () => {
    const app = await startApp(browser);
    try {
      await allowNotify(app);
      await app.open();
      await announced(app);
      // Without permission the page offers to ask for it (a click, since browsers ask only on a gesture).
      const access = app.page.getByTestId('notification-access');
      await access.waitFor();
      assert.match((await access.getAttribute('data-access')) ?? '', /^(default|denied)$/);

      await notifyThroughChat(app, 'Build finished', 'I sent the notification.');
      const toast = app.page.getByTestId('toast');
      await toast.waitFor();
      assert.equal(await toast.getByTestId('toast-title').textContent(), 'Build finished');
      assert.match((await toast.textContent()) ?? '', /from the agent/);
      const card = app.page.locator('[data-kind="tool_call"]');
      assert.equal(await card.getAttribute('data-status'), 'ok');
      await app.screenshot('notify-toast');

      await app.page.reload();
      await connectionState(app.page, 'open');
      await assistantRows(app.page).filter({ hasText: 'I sent the notification.' }).waitFor();
      await announced(app);
      // A second, live request proves the reloaded page follows the log: only it is shown.
      await notifyThroughChat(app, 'Tests passed', 'Sent again.');
      await app.page.getByTestId('toast-title').filter({ hasText: 'Tests passed' }).waitFor();
      assert.deepEqual(await app.page.getByTestId('toast-title').allTextContents(), ['Tests passed']);

      await app.page.getByTestId('toast').getByRole('button', { name: 'Dismiss' }).click();
      await app.page.getByTestId('toast').waitFor({ state: 'detached' });
    } finally {
      await app.close();
    }
  });

  test('with notification permission granted the page shows a browser notification instead of a toast', async () => {
    const app = await startApp(browser);
    try {
      await allowNotify(app);
      await app.context.grantPermissions(['notifications']);
      // Records what the page asks the browser to show; headless Chromium has no notification centre to look at.
      // A string, not a function: the test's compiler would add helpers the page does not have.
      await app.page.addInitScript(`
        window.shownNotifications = [];
        const Native = window.Notification;
        window.Notification = class extends Native {
          constructor(title, options) {
            super(title, options);
            window.shownNotifications.push({ title, body: (options && options.body) || '' });
          }
        };
      `);
      await app.open();
      await announced(app);
      assert.equal(await app.page.evaluate(() => Notification.permission), 'granted');
      assert.equal(await app.page.getByTestId('notification-access').count(), 0, 'nothing to ask for');

      await notifyThroughChat(app, 'Deploy done', 'Notified.');
      const shown = await waitFor(
        () => app.page.evaluate(() => (window as unknown as { shownNotifications: { title: string; body: string }[] }).shownNotifications).then((s) => (s.length ? s : null)),
        'a browser notification',
      );
      assert.deepEqual(shown, [{ title: 'Deploy done', body: 'from the agent' }]);
      assert.equal(await app.page.getByTestId('toast').count(), 0);
    } finally {
      await app.close();
    }
  });

  test('with no page open, notify fails with unavailable', async () => {
    const app = await startApp(browser);
    try {
      await allowNotify(app);
      const core = app.host.core;
      app.anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'notify', arguments: { title: 'Nobody', body: '' } }] },
        { kind: 'stream', chunks: ['No window.'] },
      );
      const { runId } = await core.gateway.call('chat.send', { text: 'notify me' });
      await core.idle();
      const completed = core.log.since(0, 1000).find((e) => e.type === 'tool.completed' && e.runId === runId);
      assert.ok(completed && completed.type === 'tool.completed');
      assert.equal(completed.data.error?.code, 'unavailable');
    } finally {
      await app.close();
    }
  });
});
