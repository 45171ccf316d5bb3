import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { OpenAILoopback, chunk, waitFor } from '../support/index.js';
import { assistantRows, launchBrowser, sendMessage, startApp } from './support/app.js';

describe('OpenAI-compatible endpoints in the browser', () => {
  let browser: Browser;
  let lmstudio: OpenAILoopback;
  before(async () => {
    browser = await launchBrowser();
    lmstudio = await OpenAILoopback.start();
  });
  after(async () => {
    await browser?.close();
    await lmstudio?.close();
  });

  test('adds an endpoint in Settings, tests it, lists its models, picks one in the composer and chats with it', async () => {
    const app = await startApp(browser);
    const key = `sk-lm-${'Rt5y'.repeat(10)}`;
    try {
      lmstudio.models = ['qwen2.5-7b-instruct', 'nomic-embed-text-v1.5'];
      lmstudio.requireKey = key;
      await app.open();
      await app.page.getByTestId('nav-settings').click();
      const pane = app.page.getByTestId('settings-pane');
      await pane.waitFor();

      // A name the app keeps for itself is refused in place, and nothing is added.
      await pane.getByTestId('endpoint-name').fill('openai');
      await pane.getByTestId('endpoint-url').fill(lmstudio.baseUrl);
      await pane.getByTestId('endpoint-add').click();
      await pane.getByTestId('endpoint-error').waitFor();
      assert.match((await pane.getByTestId('endpoint-error').textContent()) ?? '', /built in/);

      await pane.getByTestId('endpoint-name').fill('lmstudio');
      await pane.getByTestId('endpoint-key').fill(key);
      await pane.getByTestId('endpoint-add').click();
      const row = pane.getByTestId('endpoint-lmstudio');
      await row.waitFor();
      assert.match((await row.textContent()) ?? '', /key: stored/);
      assert.equal(await pane.getByTestId('endpoint-key').inputValue(), '', 'the key field is cleared');
      assert.ok(!(await app.page.content()).includes(key), 'the key is not in the page');

      await row.getByTestId('test-lmstudio').click();
      await row.getByTestId('provider-test-lmstudio').waitFor();
      assert.match((await row.getByTestId('provider-test-lmstudio').textContent()) ?? '', /✓ reachable at .*2 model\(s\)/);
      await row.getByTestId('list-models-lmstudio').click();
      await row.getByTestId('models-lmstudio').waitFor();
      assert.deepEqual(await row.getByTestId('models-lmstudio').locator('li').allTextContents(), ['lmstudio:nomic-embed-text-v1.5', 'lmstudio:qwen2.5-7b-instruct']);
      await app.screenshot('settings-endpoints');

      await app.page.getByTestId('nav-chat').click();
      const picker = app.page.getByTestId('composer-model');
      await waitFor(async () => (await picker.locator('option[value="lmstudio:qwen2.5-7b-instruct"]').count()) === 1, 10_000, 'the endpoint’s models in the picker');
      await picker.selectOption('lmstudio:qwen2.5-7b-instruct');
      lmstudio.script({ kind: 'stream', chunks: chunk('Hello from the local model.', 5), delayMs: 5, usage: { input: 30, output: 7 } });
      const before = lmstudio.requests.length;
      await sendMessage(app.page, 'hello local');
      await waitFor(async () => (await assistantRows(app.page).last().textContent())?.includes('Hello from the local model.'), 10_000, 'the streamed reply');
      const sent = lmstudio.requests.slice(before).find((r) => r.path === '/v1/chat/completions');
      assert.equal((sent?.body as { model: string }).model, 'qwen2.5-7b-instruct');
      assert.equal(sent?.headers.authorization, `Bearer ${key}`);
      const runs = await waitFor(() => app.host.core.runs.list(5).find((r) => r.status === 'done'), 5000, 'the run done');
      assert.equal(runs.model, 'lmstudio:qwen2.5-7b-instruct');
      assert.equal(await picker.inputValue(), 'lmstudio:qwen2.5-7b-instruct', 'the choice stays for the next message');
      await app.screenshot('composer-model-picker');

      // Back to the default model: the next message goes to Anthropic.
      await picker.selectOption('');
      app.anthropic.script({ kind: 'stream', chunks: ['From the default model.'] });
      await sendMessage(app.page, 'and now the default');
      await waitFor(async () => (await assistantRows(app.page).last().textContent())?.includes('From the default model.'), 10_000, 'the default model’s reply');
    } finally {
      await app.close();
    }
  });
});
