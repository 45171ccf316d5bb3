import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { chunk, gate, waitFor } from '../support/index.js';
import { assertAccessible, composerCleared, connectionState, launchBrowser, SCHEMES, sendMessage, sidewaysOverflow, startApp, WIDTHS } from './support/app.js';

const overloaded = { kind: 'error', status: 529, type: 'overloaded_error', message: 'Overloaded' } as const;

describe('the composer: a kept draft, a visible queue, and a model that rests', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  for (const [i, scheme] of SCHEMES.entries()) {
    const width = WIDTHS[i % WIDTHS.length];
    const other = WIDTHS[(i + 1) % WIDTHS.length];
    test(`a draft survives a reload; a message sent during a reply waits in a visible queue; a resting model says until when in local time and "Try now" sends again (${scheme})`, async () => {
      const app = await startApp(browser, { colorScheme: scheme, viewport: { width, height: 820 } });
      try {
        await app.open();
        const input = app.page.getByTestId('composer-input');
        await input.fill('a half-written thought\nwith a second line');
        await app.page.reload();
        await connectionState(app.page, 'open');
        assert.equal(await input.inputValue(), 'a half-written thought\nwith a second line', 'the draft came back after the reload');
        await input.fill('');

        // A message sent while a reply is written waits its turn, shown above the composer with Cancel.
        // The first reply's last words wait until the second message is seen queued.
        const held = gate();
        app.anthropic.script(
          { kind: 'stream', chunks: Array.from({ length: 60 }, (_, n) => `w${n} `), delayMs: 5, holdLastChunk: held.promise },
          { kind: 'stream', chunks: chunk('The second answer.', 5), delayMs: 5 },
        );
        await sendMessage(app.page, 'first question');
        await app.page.locator('[data-role="assistant"][data-status="streaming"]').waitFor({ timeout: 15_000 });
        await sendMessage(app.page, 'second question, sent while the first is answered');
        const queued = app.page.getByTestId('queued-message');
        await queued.waitFor({ timeout: 10_000 });
        assert.equal(await queued.locator('.queued-text').textContent(), 'second question, sent while the first is answered');
        await composerCleared(app.page);
        assert.equal(await input.inputValue(), '', 'the composer is free again');
        for (const w of [width, other]) {
          await app.page.setViewportSize({ width: w, height: 820 });
          assert.deepEqual(await sidewaysOverflow(app.page), [], `the queue fits at ${w} px`);
          await assertAccessible(app.page, `the queue at ${w} px (${scheme})`);
        }
        await app.screenshot(`composer-queue-${scheme}`);
        held.open();
        await app.page.locator('[data-role="assistant"][data-status="done"]').filter({ hasText: 'The second answer.' }).waitFor({ timeout: 30_000 });
        assert.equal(await queued.count(), 0, 'the queue empties as the turn comes');
        assert.equal(await input.inputValue(), '');

        // Three overloads rest the only model; the next message is told until when, in local time.
        app.anthropic.script(overloaded, overloaded, overloaded);
        await sendMessage(app.page, 'are you there?');
        await app.page.locator('[data-kind="error"]').first().waitFor({ timeout: 30_000 });
        await sendMessage(app.page, 'hello again');
        const notice = app.page.getByTestId('cooldown-notice');
        await notice.waitFor({ timeout: 30_000 });
        const until = await notice.getByTestId('cooldown-until').getAttribute('datetime');
        assert.ok(until, 'a time is given');
        const shown = await notice.getByTestId('cooldown-until').textContent();
        const local = await app.page.evaluate((iso) => new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(new Date(iso)), until);
        assert.equal(shown, local, 'in the local time of the window');
        assert.doesNotMatch((await app.page.locator('[data-kind="error"]').last().textContent()) ?? '', /\d{4}-\d\d-\d\dT/, 'no raw UTC timestamp');
        await assertAccessible(app.page, `the cooldown notice (${scheme})`);
        await app.screenshot(`cooldown-${scheme}`);

        app.anthropic.script({ kind: 'stream', chunks: chunk('Back again, rested.', 4), delayMs: 5 });
        await notice.getByTestId('cooldown-try-now').last().click();
        await app.page.locator('[data-role="assistant"][data-status="done"]').filter({ hasText: 'Back again, rested.' }).waitFor({ timeout: 30_000 });
        const users = await app.page.locator('[data-role="user"]').getByTestId('message-text').allTextContents();
        assert.equal(users.at(-1), 'hello again', 'the message of the failed turn was sent again');
        const status = await app.host.core.gateway.call('providers.status', {});
        assert.equal(status.models.filter((m) => m.state === 'cooldown').length, 0, 'the rest is over');
      } finally {
        await app.close();
      }
    });
  }
});

test('providers.tryNow ends a cooldown at once', async () => {
  // Covered end to end above; this checks the command's own contract on bad input.
  const { startTestCore } = await import('../support/index.js');
  const t = await startTestCore();
  try {
    const result = await t.client.call('providers.tryNow', {});
    assert.deepEqual(result.models, []);
    await assert.rejects(t.client.call('providers.tryNow', { model: '' }), /./);
    await waitFor(() => true);
  } finally {
    await t.close();
  }
});
