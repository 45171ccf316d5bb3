import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { gate, waitFor } from '../support/index.js';
import { assertAccessible, launchBrowser, SCHEMES, sendMessage, sidewaysOverflow, startApp, WIDTHS } from './support/app.js';

const activeTestId = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.id ?? document.activeElement?.tagName ?? '');
const focusInsideDialog = (page: Page) => page.evaluate(() => Boolean(document.activeElement?.closest('[data-testid="approval-dialog"]')));

/**
 * At the narrowest width the dialog fits without sideways scrolling, passes axe, and each of the
 * given parts (what will run, the answers) is on screen and not cut off at the sides.
 */
async function fitsNarrow(page: Page, what: string, parts: string[], scheme: string): Promise<void> {
  await page.setViewportSize({ width: WIDTHS[0], height: 860 });
  assert.deepEqual(await sidewaysOverflow(page), [], `the ${what} dialog fits at ${WIDTHS[0]} px`);
  const dialog = page.getByTestId('approval-dialog');
  for (const part of parts) {
    const box = await dialog.getByTestId(part).boundingBox();
    assert.ok(box && box.width > 0 && box.x >= 0 && box.x + box.width <= WIDTHS[0] + 1, `${part} of the ${what} dialog is on screen at ${WIDTHS[0]} px`);
  }
  await assertAccessible(page, `the ${what} dialog at ${WIDTHS[0]} px (${scheme})`);
}

describe('approvals that show what will happen, tool rows that tell the truth, and the keyboard', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  for (const scheme of SCHEMES) {
    test(`a write shows its diff, a command its folder, a web request its address; Esc puts the dialog aside, focus stays inside and returns to the composer; tool rows say who denied and group (${scheme})`, async () => {
      const app = await startApp(browser, { colorScheme: scheme, viewport: { width: WIDTHS[1], height: 860 } });
      try {
        const workspace = join(app.host.core.paths.dir, 'workspace');
        mkdirSync(join(workspace, 'notes'), { recursive: true });
        writeFileSync(join(workspace, 'notes', 'plan.md'), 'monday: rest\ntuesday: shop\nwednesday: swim\n');
        app.anthropic.script(
          { kind: 'stream', toolCalls: [{ name: 'write_text', arguments: { path: 'notes/plan.md', text: 'monday: write the report\ntuesday: shop\nwednesday: swim\nthursday: send it\n' } }] },
          { kind: 'stream', toolCalls: [{ name: 'run_command', arguments: { command: 'ls -la' } }, { name: 'http_get', arguments: { url: 'https://status.example.com/today?verbose=1' } }] },
          { kind: 'stream', chunks: ['I could not change the plan, but I listed the folder.'] },
        );
        await app.open();
        await waitFor(async () => (await activeTestId(app.page)) === 'composer-input', 5000, 'the composer to have the focus on load');
        await sendMessage(app.page, 'update my plan');

        const dialog = app.page.getByTestId('approval-dialog');
        await dialog.waitFor({ timeout: 15_000 });
        assert.equal(await activeTestId(app.page), 'approval-dialog', 'the dialog itself takes the focus');
        const details = dialog.getByTestId('approval-details');
        await details.waitFor();
        assert.equal(await details.getAttribute('data-kind'), 'write');
        const diff = dialog.getByTestId('approval-diff');
        assert.deepEqual(await diff.locator('[data-kind="del"]').allTextContents(), ['−removed: monday: rest\n']);
        assert.deepEqual(await diff.locator('[data-kind="add"]').allTextContents(), ['+added: monday: write the report\n', '+added: thursday: send it\n']);
        assert.match((await details.textContent()) ?? '', /2 lines added, 1 removed/);
        await dialog.getByTestId('approval-toggle-whole').click();
        assert.equal(await dialog.getByTestId('approval-content').textContent(), 'monday: write the report\ntuesday: shop\nwednesday: swim\nthursday: send it\n');
        await dialog.getByTestId('approval-toggle-whole').click();

        // The card of the call behind the dialog says it waits for the person, not "running".
        const writeCard = app.page.locator('[data-kind="tool_call"]').filter({ hasText: 'write_text' });
        assert.equal(await writeCard.getAttribute('data-shown'), 'waiting');
        assert.equal(await writeCard.getByTestId('tool-status').first().textContent(), 'waiting for your approval');

        for (const width of WIDTHS) {
          await app.page.setViewportSize({ width, height: 860 });
          // Tab and Shift+Tab never leave the dialog, narrow or wide.
          for (let i = 0; i < 12; i++) {
            await app.page.keyboard.press(i % 4 === 3 ? 'Shift+Tab' : 'Tab');
            assert.equal(await focusInsideDialog(app.page), true, `focus inside the dialog after ${i + 1} presses at ${width} px`);
          }
          assert.deepEqual(await sidewaysOverflow(app.page), [], `the dialog fits at ${width} px`);
          await assertAccessible(app.page, `the approval dialog at ${width} px (${scheme})`);
          await app.screenshot(`approval-write-diff-${width}-${scheme}`);
        }
        await app.page.setViewportSize({ width: WIDTHS[1], height: 860 });

        // Esc closes without answering: the request keeps waiting, the chat says so, focus is back in the composer.
        await app.page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'detached' });
        assert.equal(app.host.core.permissions.pending().length, 1, 'still waiting after Esc');
        await app.page.getByTestId('pending-approvals').waitFor();
        assert.equal(await activeTestId(app.page), 'composer-input', 'focus returns to the composer');
        await assertAccessible(app.page, `the chat with a request put aside (${scheme})`);
        await writeCard.getByTestId('tool-review').click();
        await dialog.waitFor();

        // "Allow always" says in plain words what the rule would allow.
        await dialog.getByTestId('approval-always').click();
        const words = dialog.getByTestId('approval-rule-words');
        await words.waitFor();
        assert.equal(await words.textContent(), 'Always allow writing this file, in every conversation and background task.');
        await dialog.getByRole('button', { name: 'every .md file in this folder' }).click();
        assert.equal(await words.textContent(), 'Always allow writing every .md file in this folder, in every conversation and background task.');
        await dialog.getByTestId('approval-rule-pattern').fill(`${join(workspace, 'notes')}/draft-*`);
        assert.match((await words.textContent()) ?? '', /^Always allow writing files matching “.*draft-\*”/);
        await assertAccessible(app.page, `the rule editor (${scheme})`);
        await dialog.getByRole('button', { name: 'Back' }).click();
        await dialog.getByTestId('approval-deny').click();

        // The command: its text and the folder it would run in.
        await waitFor(async () => (await dialog.getByTestId('approval-details').getAttribute('data-kind').catch(() => null)) === 'command', 15_000, 'the command request');
        assert.equal(await dialog.getByTestId('approval-command').textContent(), 'ls -la');
        assert.equal(await dialog.getByTestId('approval-cwd').textContent(), app.host.core.permissions.roots()[0]);
        await app.screenshot(`approval-command-${scheme}`);
        await fitsNarrow(app.page, 'command', ['approval-command', 'approval-cwd', 'approval-once', 'approval-deny'], scheme);
        await app.screenshot(`approval-command-${WIDTHS[0]}-${scheme}`);
        await app.page.setViewportSize({ width: WIDTHS[1], height: 860 });
        await dialog.getByTestId('approval-once').click();
        // A web request: its method and address.
        await waitFor(async () => (await dialog.getByTestId('approval-details').getAttribute('data-kind').catch(() => null)) === 'request', 15_000, 'the web request');
        assert.equal(await dialog.getByTestId('approval-request').textContent(), 'GET https://status.example.com/today?verbose=1');
        await fitsNarrow(app.page, 'web request', ['approval-request', 'approval-once', 'approval-deny'], scheme);
        await app.screenshot(`approval-request-${WIDTHS[0]}-${scheme}`);
        await app.page.setViewportSize({ width: WIDTHS[1], height: 860 });
        await dialog.getByTestId('approval-deny').click();
        await dialog.waitFor({ state: 'detached' });
        assert.equal(await activeTestId(app.page), 'composer-input', 'focus returns to the composer after an answer');
        await app.page.locator('[data-role="assistant"][data-status="done"]').filter({ hasText: 'listed the folder' }).waitFor({ timeout: 15_000 });
        assert.equal(readFileSync(join(workspace, 'notes', 'plan.md'), 'utf8'), 'monday: rest\ntuesday: shop\nwednesday: swim\n', 'nothing was written');

        // The two calls of the run are one row that says what happened; opened, each says it too.
        const group = app.page.locator('[data-kind="tool_group"]');
        assert.equal(await group.getAttribute('data-count'), '3');
        assert.equal(await group.getByTestId('tool-status').first().textContent(), '2 denied, 1 done');
        await group.getByTestId('tool-group-summary').click();
        await writeCard.waitFor({ state: 'visible' });
        assert.equal(await writeCard.getByTestId('tool-status').textContent(), 'denied by you');
        assert.equal(await app.page.locator('[data-kind="tool_call"]').filter({ hasText: 'run_command' }).getByTestId('tool-status').textContent(), 'done');
        assert.equal(await app.page.locator('[data-kind="run_status"][data-status="waiting_permission"]').count(), 0, 'no "waiting for permission" line is left after the answers');
        assert.equal(await app.page.getByTestId('pending-approvals').count(), 0);
        for (const width of WIDTHS) {
          await app.page.setViewportSize({ width, height: 860 });
          assert.deepEqual(await sidewaysOverflow(app.page), [], `the timeline fits at ${width} px`);
          await assertAccessible(app.page, `tool rows at ${width} px (${scheme})`);
          await app.screenshot(`tool-group-${width}-${scheme}`);
        }

        // Esc stops a reply being written (its last words are held until then) and keeps what was written.
        await app.page.setViewportSize({ width: WIDTHS[1], height: 860 });
        const held = gate();
        app.anthropic.script({ kind: 'stream', chunks: ['Once ', 'upon ', 'a time', ' the end.'], holdLastChunk: held.promise });
        await sendMessage(app.page, 'a story please');
        const story = app.page.locator('[data-role="assistant"]').filter({ hasText: 'Once upon' });
        await story.waitFor({ timeout: 15_000 });
        assert.equal(await story.getAttribute('data-status'), 'streaming');
        await app.page.keyboard.press('Escape');
        await app.page.locator('[data-role="assistant"][data-status="cancelled"]').filter({ hasText: 'Once upon' }).waitFor({ timeout: 10_000 });
        held.open();
        assert.match((await story.getByTestId('message-text').textContent()) ?? '', /^Once upon/, 'the text so far stays');
        assert.equal(await story.getByText('the end').count(), 0, 'nothing after Esc');
        assert.equal(await activeTestId(app.page), 'composer-input', 'the composer keeps the focus');
      } finally {
        await app.close();
      }
    });
  }

  test('Esc stops a reply that is being written and keeps what was written', async () => {
    const app = await startApp(browser, { viewport: { width: WIDTHS[0], height: 800 } });
    try {
      const held = gate();
      app.anthropic.script({ kind: 'stream', chunks: Array.from({ length: 30 }, (_, i) => `w${i} `), delayMs: 5, holdLastChunk: held.promise });
      await app.open();
      await sendMessage(app.page, 'a long story please');
      const reply = app.page.locator('[data-role="assistant"]');
      await waitFor(async () => ((await reply.getByTestId('message-text').textContent().catch(() => '')) ?? '').includes('w3'), 15_000, 'the reply to be under way');
      await app.page.keyboard.press('Escape');
      await app.page.locator('[data-kind="run_status"][data-status="cancelled"]').waitFor({ timeout: 10_000 });
      await app.page.locator('[data-role="assistant"][data-status="cancelled"]').waitFor();
      assert.ok(((await reply.getByTestId('message-text').textContent()) ?? '').startsWith('w0 w1 w2 w3'), 'the text so far stays');
      assert.equal(await app.page.getByTestId('stop-button').count(), 0);
      held.open();
    } finally {
      await app.close();
    }
  });
});
