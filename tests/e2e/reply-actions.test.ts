import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { chunk, waitFor, lastChatRequest } from '../support/index.js';
import { assertAccessible, launchBrowser, SCHEMES, sendMessage, sidewaysOverflow, startApp, WIDTHS } from './support/app.js';

const usd = (n: number) => `$${n.toFixed(n === 0 ? 2 : n < 1 ? 4 : 2)}`;

describe("a reply's usage on hover, and asking again", () => {
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
    test(`pointing at a reply's Usage shows its turn's tokens and cost; Regenerate asks the same question again; a failed turn has Retry (${scheme})`, async () => {
      const app = await startApp(browser, { colorScheme: scheme, viewport: { width, height: 820 } });
      try {
        await app.open();
        const page = app.page;
        app.anthropic.script({ kind: 'stream', chunks: chunk('Four.', 2), delayMs: 5, usage: { input: 1200, output: 345 } });
        await sendMessage(page, 'what is two and two?');
        const first = page.locator('[data-role="assistant"][data-status="done"]').filter({ hasText: 'Four.' });
        await first.waitFor();

        // The tooltip: what the run's usage says, in the window's number format.
        const runId = (await first.getAttribute('data-run-id')) ?? '';
        const shown = await app.host.core.gateway.call('runs.show', { runId });
        assert.ok(shown.usage.total.costUsd > 0, 'the default model has a price');
        await first.getByTestId('reply-usage').hover();
        const tooltip = first.getByTestId('reply-usage-tooltip');
        await tooltip.getByTestId('usage-tokens').waitFor();
        assert.equal(await tooltip.getByTestId('usage-tokens').textContent(), '1,200 tokens in, 345 out');
        assert.equal(await tooltip.getByTestId('usage-cost').textContent(), usd(shown.usage.total.costUsd));
        assert.match((await tooltip.textContent()) ?? '', /for this turn \(1 model response\)/);
        assert.equal(await first.getByTestId('reply-usage').getAttribute('aria-describedby'), await tooltip.getAttribute('id'), 'the tooltip describes its button');
        for (const w of [width, other]) {
          await page.setViewportSize({ width: w, height: 820 });
          await first.getByTestId('reply-usage').hover();
          await tooltip.waitFor();
          assert.deepEqual(await sidewaysOverflow(page), [], `the tooltip fits at ${w} px`);
          const box = await tooltip.boundingBox();
          assert.ok(box && box.x >= 0 && box.x + box.width <= w, `the tooltip is inside the window at ${w} px`);
          await assertAccessible(page, `a reply's usage at ${w} px (${scheme})`);
        }
        await app.screenshot(`reply-usage-${scheme}`);
        await page.mouse.move(0, 0);
        await tooltip.waitFor({ state: 'detached' });
        // The keyboard gets it too.
        await first.getByTestId('reply-usage').focus();
        await tooltip.waitFor();
        await page.getByTestId('composer-input').focus();
        await tooltip.waitFor({ state: 'detached' });

        // Regenerate: the same question goes to the model again and a new reply follows.
        app.anthropic.script({ kind: 'stream', chunks: chunk('Still four.', 3), delayMs: 5 });
        await first.getByTestId('regenerate').click();
        await page.locator('[data-role="assistant"][data-status="done"]').filter({ hasText: 'Still four.' }).waitFor();
        const asked = page.locator('[data-testid="timeline-row"][data-role="user"]');
        assert.deepEqual(await asked.getByTestId('message-text').allTextContents(), ['what is two and two?', 'what is two and two?']);
        const lastUser = (lastChatRequest(app.anthropic).body as { messages: { role: string; content: unknown }[] }).messages.filter((m) => m.role === 'user').at(-1);
        assert.match(JSON.stringify(lastUser?.content), /what is two and two\?/);

        // A turn that fails has Retry under its error; it sends the question again.
        app.anthropic.script({ kind: 'error', status: 400, type: 'invalid_request_error', message: 'this request is malformed' });
        await sendMessage(page, 'and three and three?');
        const error = page.locator('[data-testid="timeline-row"][data-kind="error"]');
        await error.waitFor();
        const retry = error.getByTestId('regenerate');
        assert.equal(await retry.textContent(), 'Retry');
        await assertAccessible(page, `a failed turn with Retry (${scheme})`);
        app.anthropic.script({ kind: 'stream', chunks: chunk('Six.', 2), delayMs: 5 });
        await retry.click();
        await page.locator('[data-role="assistant"][data-status="done"]').filter({ hasText: 'Six.' }).waitFor();
        await waitFor(async () => (await asked.count()) === 4, 'the question sent again');
        assert.equal(await asked.last().getByTestId('message-text').textContent(), 'and three and three?');
      } finally {
        await app.close();
      }
    });
  }
});
