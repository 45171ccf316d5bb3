import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { waitFor } from '../support/index.js';
import { launchBrowser, sendMessage, startApp } from './support/app.js';

describe('the Settings pane in the browser', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('stores a key without showing it, tests the connection, saves a fallback order and a budget, and exports the conversation without the key', async () => {
    const app = await startApp(browser);
    const key = `sk-ant-api03-${'Qw7e'.repeat(20)}`;
    try {
      app.anthropic.script({ kind: 'stream', chunks: ['Hello ', 'from the agent.'], usage: { input: 1200, output: 40 } });
      await app.open();
      await sendMessage(app.page, 'hello');
      await waitFor(() => app.host.core.runs.list(5).some((r) => r.status === 'done'), 5000, 'the reply');

      await app.page.getByTestId('nav-settings').click();
      const pane = app.page.getByTestId('settings-pane');
      await pane.waitFor();
      assert.equal(await pane.getByTestId('anthropic-key-source').textContent(), 'API key: from ANTHROPIC_API_KEY');
      await pane.getByTestId('anthropic-key').fill(key);
      await pane.getByRole('button', { name: 'Save key' }).click();
      await waitFor(async () => (await pane.getByTestId('anthropic-key-source').textContent()) === 'API key: stored in the secret store', 3000, 'the key stored');
      assert.equal(await pane.getByTestId('anthropic-key').inputValue(), '', 'the field is cleared');
      assert.ok(!(await app.page.content()).includes(key), 'the key is not in the page');

      await pane.getByTestId('test-anthropic').click();
      await pane.getByTestId('provider-test-anthropic').waitFor();
      assert.match((await pane.getByTestId('provider-test-anthropic').textContent()) ?? '', /✓ reachable/);

      await pane.getByTestId('route-chat').fill('anthropic:claude-a, ollama:llama3.2');
      await pane.getByTestId('save-routes').click();
      await pane.getByTestId('budget-tokens').fill('50000');
      await pane.getByTestId('save-budgets').click();
      await waitFor(() => app.host.core.gateway.call('agent.settings.get', {}).then((s) => s.budgets.runTokens === 50000 && s.routes.chat?.length === 2), 3000, 'settings saved');

      const usage = pane.getByTestId('usage-table');
      await usage.waitFor();
      assert.match((await usage.textContent()) ?? '', /1200/);
      const perRun = pane.getByTestId('run-usage-table');
      assert.match((await perRun.textContent()) ?? '', /hello.*done.*1240/);
      await app.screenshot('settings-pane');

      const [download] = await Promise.all([app.page.waitForEvent('download'), pane.getByTestId('export-html').click()]);
      const html = readFileSync((await download.path())!, 'utf8');
      assert.match(html, /Hello from the agent\./);
      assert.ok(!html.includes(key));
    } finally {
      await app.close();
    }
  });
});
