import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { waitFor } from '../support/index.js';
import { assertAccessible, launchBrowser, sendMessage, sidewaysOverflow, startApp } from './support/app.js';

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
      await waitFor(() => app.host.core.runs.list(5).some((r) => r.status === 'done'), 'the reply');

      await app.page.getByTestId('nav-settings').click();
      const pane = app.page.getByTestId('settings-pane');
      await pane.waitFor();
      assert.equal(await pane.getByTestId('anthropic-key-source').textContent(), 'API key: from ANTHROPIC_API_KEY');
      await pane.getByTestId('anthropic-key').fill(key);
      await pane.getByRole('button', { name: 'Save key' }).click();
      await waitFor(async () => (await pane.getByTestId('anthropic-key-source').textContent()) === 'API key: stored in the secret store', 'the key stored');
      assert.equal(await pane.getByTestId('anthropic-key').inputValue(), '', 'the field is cleared');
      assert.ok(!(await app.page.content()).includes(key), 'the key is not in the page');

      await pane.getByTestId('test-anthropic').click();
      await pane.getByTestId('provider-test-anthropic').waitFor();
      assert.match((await pane.getByTestId('provider-test-anthropic').textContent()) ?? '', /✓ reachable/);

      await pane.getByTestId('route-chat').fill('anthropic:claude-a, ollama:llama3.2');
      await pane.getByTestId('save-routes').click();
      await pane.getByTestId('budget-tokens').fill('50000');
      await pane.getByTestId('save-budgets').click();
      await waitFor(() => app.host.core.gateway.call('agent.settings.get', {}).then((s) => s.budgets.runTokens === 50000 && s.routes.chat?.length === 2), 'settings saved');

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

  test('Settings → Memory names the embedder in words, the built-in one or a model with its provider and task prefixes, its stored name in the tooltip', async () => {
    const app = await startApp(browser);
    try {
      await app.open();
      await app.page.getByTestId('nav-settings').click();
      const embedder = app.page.getByTestId('memory-embedder');
      await embedder.waitFor();
      const offline = app.host.core.memory.status().embedder;
      assert.match(offline, /^offline-v\d+-\d+$/);
      assert.equal(await embedder.textContent(), 'Built-in offline');
      assert.equal(await embedder.getAttribute('title'), offline, 'the stored name in the tooltip');
      assert.ok(!(await app.page.getByTestId('settings-pane').textContent())?.includes(offline), 'the stored name is not in the text');

      await app.host.core.gateway.call('memory.configure', { embedder: { kind: 'ollama', model: 'nomic-embed-text' } });
      await app.host.core.memory.whenReembedded();
      const model = app.host.core.memory.status().embedder;
      assert.match(model, /^ollama:nomic-embed-text\+prefixes:[0-9a-f]{8}$/);
      await app.page.reload();
      await app.page.getByTestId('nav-settings').click();
      await waitFor(async () => (await embedder.textContent()) === 'nomic-embed-text (Ollama), with task prefixes', 'the model named with its provider and its task prefixes');
      assert.equal(await embedder.getAttribute('title'), model);
      await assertAccessible(app.page, 'Settings with a model embedder');
    } finally {
      await app.close();
    }
  });

  test('prices take decimals typed key by key, a malformed model name is refused in place, and a model in cooldown shows under Model health', async () => {
    const app = await startApp(browser);
    try {
      await app.host.core.gateway.call('agent.settings.update', { routes: { chat: ['anthropic:claude-a', 'ollama:llama3.2'] } });
      const overloaded = { kind: 'error', status: 529, type: 'overloaded_error', message: 'overloaded', headers: { 'retry-after': '0' } } as const;
      app.anthropic.script(overloaded, overloaded, overloaded);
      app.ollama.script({ kind: 'stream', chunks: ['answered locally'] });
      await app.open();
      await app.page.getByTestId('nav-settings').click();
      const pane = app.page.getByTestId('settings-pane');
      await pane.waitFor();
      await sendMessageFromChat(app);
      await waitFor(() => app.host.core.runs.list(5).some((r) => r.status === 'done' && r.model === 'ollama:llama3.2'), 'the fallback answered');
      await app.page.getByTestId('nav-settings').click();
      const health = pane.getByTestId('provider-cooldowns');
      await health.waitFor();
      assert.match((await health.textContent()) ?? '', /anthropic:claude-a keeps failing \(3 in a row\)/);

      await pane.getByRole('button', { name: 'Add a price' }).click();
      const row = pane.getByTestId('prices-table').locator('tbody tr').last();
      await row.getByLabel('model').fill('claude-typo');
      await row.getByLabel('input').fill('');
      await row.getByLabel('input').pressSequentially('0.25');
      assert.equal(await row.getByLabel('input').inputValue(), '0.25', 'the decimal point survives typing');
      await pane.getByTestId('save-prices').click();
      assert.match((await pane.getByTestId('prices-error').textContent()) ?? '', /not a model/);
      assert.equal(await row.getByLabel('model').inputValue(), 'claude-typo', 'what was typed is kept');
      assert.deepEqual((await app.host.core.gateway.call('agent.settings.get', {})).prices, {});

      await row.getByLabel('model').fill('anthropic:claude-a');
      await pane.getByTestId('save-prices').click();
      await waitFor(async () => JSON.stringify((await app.host.core.gateway.call('agent.settings.get', {})).prices) === JSON.stringify({ 'anthropic:claude-a': { input: 0.25, output: 0, cacheRead: 0, cacheWrite: 0 } }), 'the price saved');
      assert.equal(await pane.getByTestId('prices-error').count(), 0);
    } finally {
      await app.close();
    }
  });

  for (const width of [420, 1280]) {
    test(`at ${width} px the data folder's size is shown by kind, the daily backup is turned on, a copy is made now and listed with how to restore it`, async () => {
      const app = await startApp(browser, { viewport: { width, height: 800 } });
      try {
        await app.open();
        await app.page.getByTestId('nav-settings').click();
        const pane = app.page.getByTestId('settings-pane');
        const total = pane.getByTestId('storage-total');
        await total.waitFor();
        const report = await app.host.core.gateway.call('maintenance.report', {});
        assert.match((await total.textContent()) ?? '', /holds \d+(\.\d)? (KB|MB)/);
        const parts = (await pane.getByTestId('storage-parts').textContent()) ?? '';
        for (const label of ['Database', 'Write-ahead log', 'Backups in the data folder', 'Logs', 'Worker artifacts']) assert.ok(parts.includes(label), `${label} in ${parts}`);
        assert.ok(report.parts.database > 0);
        assert.equal(await pane.getByTestId('backup-summary').textContent(), 'Daily backups are off.');

        await pane.getByTestId('backup-keep').fill('0');
        await pane.getByTestId('save-backups').click();
        assert.equal(await pane.getByTestId('problem-backup-keep').textContent(), 'Write a number of 1 or more.');
        await pane.getByTestId('backup-keep').fill('3');
        await pane.getByTestId('save-backups').click();
        await pane.getByTestId('backups-status').waitFor();
        await pane.getByTestId('backup-daily').check();
        await pane.locator('[data-testid="backup-daily"][aria-busy="false"]:checked').waitFor();
        await waitFor(async () => /^A copy a day in .*backups, the newest 3 kept\. Next: /.test((await pane.getByTestId('backup-summary').textContent()) ?? ''), 'the daily backup on');
        assert.equal((await app.host.core.gateway.call('maintenance.backups', {})).settings.daily, true);

        await pane.getByTestId('backup-now').click();
        const files = pane.getByTestId('backup-files');
        await files.waitFor();
        const made = (await app.host.core.gateway.call('maintenance.backups', {})).files;
        assert.equal(made.length, 1);
        assert.match((await files.textContent()) ?? '', new RegExp(made[0].name.replace(/\./g, '\\.')));
        assert.ok(((await pane.textContent()) ?? '').includes(`agent-blob restore ${made[0].path}`));
        assert.deepEqual(await sidewaysOverflow(app.page), []);
        await assertAccessible(app.page, `Settings with backups at ${width} px`);
      } finally {
        await app.close();
      }
    });
  }
});

async function sendMessageFromChat(app: Awaited<ReturnType<typeof startApp>>): Promise<void> {
  await app.page.getByTestId('nav-chat').click();
  await sendMessage(app.page, 'hello');
}
