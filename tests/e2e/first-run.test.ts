import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chunk, waitFor } from '../support/index.js';
import { assertAccessible, launchBrowser, SCHEMES, sendMessage, sidewaysOverflow, startApp, WIDTHS } from './support/app.js';

/** The id of the element that has the focus. */
function focusedId(page: Page): Promise<string> {
  return page.evaluate(() => document.activeElement?.id ?? '');
}

describe('the first run: a welcome that says what to set up, links to the fix, and Settings that say what is wrong where', () => {
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
    test(`without a key the welcome offers the key or Ollama, its links and a missing-key error open the key field, fields refuse bad values in plain words beside them, and a saved key answers (${scheme})`, async () => {
      // No key anywhere: not in the environment, not in the secret store.
      const app = await startApp(browser, { colorScheme: scheme, viewport: { width, height: 820 }, env: {} });
      try {
        await app.open();
        const page = app.page;
        const welcome = page.locator('[data-testid="empty-state"][data-setup="needed"]');
        await welcome.waitFor();
        assert.match((await welcome.textContent()) ?? '', /Add your Anthropic API key/);
        assert.match((await welcome.textContent()) ?? '', /Ollama/);
        for (const w of [width, other]) {
          await page.setViewportSize({ width: w, height: 820 });
          assert.deepEqual(await sidewaysOverflow(page), [], `the welcome fits at ${w} px`);
          await assertAccessible(page, `the welcome at ${w} px (${scheme})`);
        }
        await app.screenshot(`first-run-welcome-${scheme}`);

        // Each link opens Settings with its field in view and focused.
        await page.getByTestId('welcome-ollama').click();
        await page.getByTestId('settings-pane').waitFor();
        await waitFor(async () => (await focusedId(page)) === 'settings-ollama-host', 'the Ollama address focused');
        await page.getByTestId('nav-chat').click();
        await page.getByTestId('welcome-anthropic-key').click();
        await waitFor(async () => (await focusedId(page)) === 'settings-anthropic-key', 'the key field focused');
        assert.ok(await page.getByTestId('anthropic-key').isVisible(), 'the key field is in view');

        // Sending anyway: the error says so and links to the same field.
        await page.getByTestId('nav-chat').click();
        await sendMessage(page, 'hello?');
        const error = page.locator('[data-testid="timeline-row"][data-kind="error"]');
        await error.waitFor();
        assert.equal(await error.getAttribute('data-code'), 'provider.no_key');
        const fix = error.getByTestId('error-fix');
        assert.equal(await fix.textContent(), 'Add your Anthropic API key in Settings');
        await assertAccessible(page, `the missing-key error (${scheme})`);
        await fix.click();
        await waitFor(async () => (await focusedId(page)) === 'settings-anthropic-key', 'the key field focused from the error');

        // Bad values are refused before they are sent, each said beside its field in plain words.
        const pane = page.getByTestId('settings-pane');
        await pane.getByTestId('budget-tokens').fill('-5');
        await pane.getByTestId('compact-at').fill('150');
        await pane.getByTestId('max-turns').fill('2.5');
        await pane.getByTestId('save-budgets').click();
        await pane.getByTestId('problem-budget-tokens').waitFor();
        assert.equal(await pane.getByTestId('problem-budget-tokens').textContent(), 'Write a number of 1 or more.');
        assert.equal(await pane.getByTestId('problem-compact-at').textContent(), 'Write a percentage from 20 to 95.');
        assert.equal(await pane.getByTestId('problem-max-turns').textContent(), 'Write a whole number.');
        assert.equal(await pane.getByTestId('budget-tokens').getAttribute('aria-invalid'), 'true');
        assert.equal(await pane.getByTestId('budget-cost').getAttribute('aria-invalid'), null, 'a good field is not marked');
        assert.equal(await pane.getByTestId('budget-tokens').getAttribute('aria-describedby'), 'settings-budget-tokens-problem');
        assert.equal(await pane.getByTestId('budgets-status').count(), 0, 'nothing claims to be saved');
        assert.equal(await page.getByTestId('settings-error').count(), 0, 'no error at the top of the page');
        assert.deepEqual((await app.host.core.gateway.call('agent.settings.get', {})).budgets, { runTokens: null, runCostUsd: null }, 'nothing was saved');
        for (const w of [width, other]) {
          await page.setViewportSize({ width: w, height: 820 });
          assert.deepEqual(await sidewaysOverflow(page), [], `Settings fit at ${w} px`);
          await assertAccessible(page, `Settings with problems at ${w} px (${scheme})`);
        }
        await pane.getByTestId('max-turns').fill('12');
        await pane.getByTestId('compact-at').fill('80');
        await pane.getByTestId('budget-tokens').fill('60000');
        await pane.getByTestId('save-budgets').click();
        await pane.getByTestId('budgets-status').filter({ hasText: 'Saved.' }).waitFor();
        assert.equal(await pane.getByTestId('problem-budget-tokens').count(), 0, 'the problem goes once fixed');
        const agent = await app.host.core.gateway.call('agent.settings.get', {});
        assert.deepEqual([agent.budgets.runTokens, agent.maxTurns, agent.compactAt], [60000, 12, 0.8]);

        await pane.getByTestId('chat-model').fill('claude-sonnet');
        await pane.getByTestId('save-chat-model').click();
        await pane.getByTestId('problem-chat-model').waitFor();
        assert.match((await pane.getByTestId('problem-chat-model').textContent()) ?? '', /^A model is written provider:model, e\.g\. anthropic:/);
        await pane.getByTestId('ollama-host').fill('ollama on my laptop');
        await pane.getByTestId('save-ollama-host').click();
        await pane.getByTestId('problem-ollama-host').waitFor();
        assert.equal(await pane.getByTestId('problem-ollama-host').textContent(), 'The address is not a URL; write it like http://127.0.0.1:11434 or https://api.example.com/v1.');
        await app.screenshot(`first-run-settings-problems-${scheme}`);

        // The key saved from Settings answers the next message, and the welcome is gone for good.
        await app.host.core.gateway.call('settings.update', { anthropicBaseUrl: app.anthropic.url });
        await pane.getByTestId('anthropic-key').fill('sk-ant-first-run-000000');
        await pane.getByTestId('save-anthropic-key').click();
        await pane.getByTestId('anthropic-key-status').filter({ hasText: 'Saved.' }).waitFor();
        assert.equal(await pane.getByTestId('anthropic-key-source').textContent(), 'API key: stored in the secret store');
        app.anthropic.script({ kind: 'stream', chunks: chunk('Hello, now I can answer.', 6), delayMs: 5 });
        await page.getByTestId('nav-chat').click();
        await sendMessage(page, 'hello again');
        await page.locator('[data-role="assistant"][data-status="done"]').filter({ hasText: 'Hello, now I can answer.' }).waitFor();
      } finally {
        await app.close();
      }
    });
  }

  test('with a key set, the empty conversation says hello and names the model that will answer', async () => {
    const app = await startApp(browser, { viewport: { width: 420, height: 820 } });
    try {
      await app.open();
      const ready = app.page.locator('[data-testid="empty-state"][data-setup="done"]');
      await ready.waitFor();
      assert.match((await ready.textContent()) ?? '', /Say hello/);
      const settings = await app.host.core.gateway.call('settings.get', {});
      assert.equal(await app.page.getByTestId('welcome-model').textContent(), settings.models.chat);
      assert.equal(await app.page.getByTestId('welcome-anthropic-key').count(), 0, 'nothing to set up is offered');
    } finally {
      await app.close();
    }
  });
});
