import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { waitFor } from '../support/index.js';
import { assertAccessible, assistantRows, connectionState, launchBrowser, SCHEMES, sendMessage, sidewaysOverflow, startApp, WIDTHS } from './support/app.js';

/** A real 1×1 PNG. */
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const NOTES = '# Notes\n\n- milk\n- bread\n';

type AnthropicBody = { messages: { role: string; content: string | { type: string; source?: { media_type?: string; data?: string }; title?: string; text?: string }[] }[] };

const chips = (page: Page) => page.getByTestId('composer-attachment');

/** The last model request whose newest message is the user's, starting with `text` (memory extraction and model lists also reach the server). */
function requestFor(requests: readonly { path: string; body: unknown }[], text: string): AnthropicBody['messages'][number] {
  const found = requests
    .filter((r) => r.path === '/v1/messages')
    .map((r) => (r.body as AnthropicBody).messages.at(-1)!)
    .filter((m) => m.role === 'user' && Array.isArray(m.content) && m.content[0]?.type === 'text' && m.content[0].text === text)
    .at(-1);
  assert.ok(found, `a model request for "${text}"`);
  return found;
}

/** Drops files made in the page on the composer, as a file manager would. */
async function dropOnComposer(page: Page, files: { name: string; type: string; text: string }[]): Promise<void> {
  await page.evaluate(`(() => {
    const dt = new DataTransfer();
    for (const f of ${JSON.stringify(files)}) dt.items.add(new File([f.text], f.name, { type: f.type }));
    const target = document.querySelector('[data-testid="composer"]');
    target.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
    target.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  })()`);
}

/** Pastes a large PNG drawn in the page (a screenshot, say) into the composer's text box. */
async function pasteLargeImage(page: Page, width: number, height: number): Promise<void> {
  await page.evaluate(`(async () => {
    const canvas = document.createElement('canvas');
    canvas.width = ${width};
    canvas.height = ${height};
    const g = canvas.getContext('2d');
    for (let i = 0; i < 400; i++) {
      g.fillStyle = 'hsl(' + (i * 37) % 360 + ', 70%, 50%)';
      g.fillRect((i * 97) % ${width}, (i * 61) % ${height}, 180, 120);
    }
    const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/png'));
    const dt = new DataTransfer();
    dt.items.add(new File([blob], 'screenshot.png', { type: 'image/png' }));
    document.querySelector('[data-testid="composer-input"]').dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
  })()`);
}

describe('attachments: files picked, dropped or pasted into the composer go to the model and stay with the message', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('an image from the picker, a text file dropped and a large screenshot pasted show in the composer, reach the model as image and document blocks, and show again after a reload', async () => {
    const app = await startApp(browser, { viewport: { width: 1280, height: 820 } });
    try {
      await app.open();
      const page = app.page;
      const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.getByTestId('attach-button').click()]);
      await chooser.setFiles({ name: 'pixel.png', mimeType: 'image/png', buffer: Buffer.from(PNG, 'base64') });
      await chips(page).filter({ hasText: 'pixel.png' }).waitFor();
      await dropOnComposer(page, [{ name: 'notes.md', type: '', text: NOTES }]);
      await chips(page).filter({ hasText: 'notes.md' }).waitFor();
      await pasteLargeImage(page, 3000, 2000);
      await chips(page).filter({ hasText: 'screenshot.png' }).waitFor();
      assert.equal(await chips(page).count(), 3);
      assert.equal(await chips(page).filter({ hasText: 'pixel.png' }).locator('img').count(), 1, 'an image shows a thumbnail');
      await assertAccessible(page, 'the composer with attachments');
      await app.screenshot('attachments-composer');

      // A file the models cannot take is refused in words, and what was attached stays.
      await page.getByTestId('attach-input').setInputFiles({ name: 'movie.mp4', mimeType: 'video/mp4', buffer: Buffer.from('not really a movie') });
      await page.getByTestId('attach-error').filter({ hasText: 'movie.mp4 cannot be attached: only images (PNG, JPEG, GIF, WebP) and text files can.' }).waitFor();
      await page.getByTestId('attach-input').setInputFiles({ name: 'huge.log', mimeType: 'text/plain', buffer: Buffer.alloc(300 * 1024, 'a') });
      await page.getByTestId('attach-error').filter({ hasText: 'huge.log is larger than the 256 KB a text file can be.' }).waitFor();
      assert.equal(await chips(page).count(), 3);
      await assertAccessible(page, 'the composer with an attachment error');

      // Removing a chip takes the file off the message.
      await page.getByRole('button', { name: 'Remove screenshot.png' }).click();
      assert.equal(await chips(page).count(), 2);
      await pasteLargeImage(page, 3000, 2000);
      await chips(page).filter({ hasText: 'screenshot.png' }).waitFor();

      app.anthropic.script({ kind: 'stream', chunks: ['A pixel, a list and a screenshot.'] });
      await sendMessage(page, 'what are these?');
      await page.locator('[data-role="assistant"][data-status="done"]').waitFor();
      assert.equal(await chips(page).count(), 0, 'the composer is empty after sending');

      const sent = requestFor(app.anthropic.requests, 'what are these?');
      assert.ok(Array.isArray(sent.content));
      assert.deepEqual(
        sent.content.map((b) => [b.type, b.source?.media_type ?? '', b.title ?? '']),
        [
          ['text', '', ''],
          ['image', 'image/png', ''],
          ['document', 'text/plain', 'notes.md'],
          ['image', 'image/jpeg', ''],
        ],
      );
      assert.equal(sent.content[1].source?.data, PNG, 'the small image goes as it is');
      assert.equal((sent.content[2] as { source: { data: string } }).source.data, NOTES);
      // The 3000×2000 screenshot was shrunk to the models' 1568 px before it was sent.
      const jpeg = Buffer.from(sent.content[3].source!.data!, 'base64');
      const size = await page.evaluate(`(async () => {
        const img = new Image();
        img.src = 'data:image/jpeg;base64,${jpeg.toString('base64')}';
        await img.decode();
        return [img.naturalWidth, img.naturalHeight];
      })()`);
      assert.deepEqual(size, [1568, 1045]);

      const shown = async () => {
        const row = page.locator('[data-testid="timeline-row"][data-role="user"]').last();
        await row.getByTestId('message-attachment-image').nth(1).waitFor();
        const names = await row.getByTestId('message-attachment').evaluateAll((els) => els.map((el) => el.getAttribute('data-name')));
        assert.deepEqual(names, ['pixel.png', 'notes.md', 'screenshot.png']);
        await waitFor(async () => (await row.getByTestId('message-attachment-image').first().evaluate((img) => (img as HTMLImageElement).naturalWidth)) === 1, 'the sent image to show');
      };
      await shown();
      await assertAccessible(page, 'a sent message with attachments');
      await app.screenshot('attachments-sent');
      await page.reload();
      await connectionState(page, 'open');
      await shown();

      // Regenerate asks again with the same files.
      app.anthropic.script({ kind: 'stream', chunks: ['Again: a pixel, a list and a screenshot.'] });
      await page.getByTestId('regenerate').first().click();
      await page.locator('[data-role="assistant"][data-status="done"]').filter({ hasText: 'Again: a pixel' }).waitFor();
      const again = requestFor(app.anthropic.requests, 'what are these?');
      assert.notEqual(again, sent, 'a second request');
      assert.ok(Array.isArray(again.content));
      assert.deepEqual(again.content.map((b) => b.type), ['text', 'image', 'document', 'image']);
      assert.equal(again.content[1].source?.data, PNG);
    } finally {
      await app.close();
    }
  });

  for (const width of WIDTHS) {
    test(`at ${width} px: a reply to a result with files shows both, after a reload too; Regenerate and Retry ask again with the same result and files and leave the composer's choice alone`, async () => {
      const app = await startApp(browser, { viewport: { width, height: 820 } });
      try {
        const page = app.page;
        app.anthropic.script({ kind: 'stream', chunks: ['Inbox: the bank wrote about the MORTGAGE-RATE.'] });
        await app.open();
        const schedule = await app.host.core.gateway.call('schedules.add', { name: 'Inbox check', spec: { kind: 'interval', everySeconds: 3600 }, prompt: 'SCHEDULED: check my inbox' });
        const { runId } = await app.host.core.gateway.call('schedules.runNow', { scheduleId: schedule.id });
        const result = page.locator(`[data-testid="timeline-row"][data-kind="run_result"][data-run-id="${runId}"]`);
        await result.getByTestId('result-summary').getByText('MORTGAGE-RATE').waitFor();

        await result.getByTestId('result-reply').click();
        await page.getByTestId('replying-to').getByText('Inbox check').waitFor();
        await page.getByTestId('attach-input').setInputFiles({ name: 'pixel.png', mimeType: 'image/png', buffer: Buffer.from(PNG, 'base64') });
        await dropOnComposer(page, [{ name: 'notes.md', type: 'text/markdown', text: NOTES }]);
        await chips(page).nth(1).waitFor();
        app.anthropic.script({ kind: 'stream', chunks: ['The rate and your notes agree.'] });
        await sendMessage(page, 'does this match?');
        await assistantRows(page).filter({ hasText: 'The rate and your notes agree.' }).waitFor();
        await page.getByTestId('replying-to').waitFor({ state: 'detached' });

        /** The model requests for "does this match?": each carries the result before the text, then the two files. */
        const asked = () => {
          const found = app.anthropic.requests
            .filter((r) => r.path === '/v1/messages')
            .map((r) => (r.body as AnthropicBody).messages.at(-1)!)
            .filter((m) => m.role === 'user' && JSON.stringify(m.content).includes('does this match?'));
          for (const m of found) {
            assert.ok(Array.isArray(m.content));
            // A retry after a failed reply joins both tries into one user turn: a group of three each.
            assert.ok(m.content.length % 3 === 0, `groups of text, image and document, not ${m.content.map((b) => b.type).join(', ')}`);
            for (let i = 0; i < m.content.length; i += 3) {
              assert.deepEqual(m.content.slice(i, i + 3).map((b) => b.type), ['text', 'image', 'document']);
              assert.match(m.content[i].text!, /^(\n\n)?\[In reply to the result of the scheduled task "Inbox check"[^\n]*\nInbox: the bank wrote about the MORTGAGE-RATE\.\n\[End of that result\.\]\n\ndoes this match\?$/);
              assert.equal(m.content[i + 1].source?.data, PNG);
              assert.equal(m.content[i + 2].source?.data, NOTES);
            }
          }
          return found.length;
        };
        assert.equal(asked(), 1);

        const sentRows = page.locator('[data-testid="timeline-row"][data-role="user"]').filter({ hasText: 'does this match?' });
        const shown = async (n: number) => {
          await waitFor(async () => (await sentRows.count()) === n, `${n} sent messages`);
          for (let i = 0; i < n; i++) {
            const row = sentRows.nth(i);
            await row.getByTestId('message-reply-to').getByText('Inbox check').waitFor();
            assert.deepEqual(await row.getByTestId('message-attachment').evaluateAll((els) => els.map((el) => el.getAttribute('data-name'))), ['pixel.png', 'notes.md']);
          }
        };
        await shown(1);
        await assertAccessible(page, `a reply to a result with files at ${width} px`);
        await page.reload();
        await connectionState(page, 'open');
        await shown(1);

        // With another reply chosen in the composer, Regenerate asks again with the original's result
        // and files, and the composer's choice stays for the next message.
        await result.getByTestId('result-reply').click();
        await page.getByTestId('replying-to').getByText('Inbox check').waitFor();
        app.anthropic.script({ kind: 'stream', chunks: ['Again: they agree.'] });
        await page.getByTestId('regenerate').last().click();
        await assistantRows(page).filter({ hasText: 'Again: they agree.' }).waitFor();
        await shown(2);
        assert.equal(asked(), 2);
        await page.getByTestId('replying-to').getByText('Inbox check').waitFor();
        await page.getByTestId('replying-to-cancel').click();
        await page.getByTestId('replying-to').waitFor({ state: 'detached' });

        // A reply that failed: Retry asks again with the same result and files, not just the text.
        app.anthropic.script({ kind: 'error', status: 400, type: 'invalid_request_error', message: 'refused for this test' });
        await page.getByTestId('regenerate').last().click();
        const failed = page.locator('[data-testid="timeline-row"][data-kind="error"]');
        await failed.waitFor();
        await shown(3);
        app.anthropic.script({ kind: 'stream', chunks: ['Third time: they agree.'] });
        const retry = failed.getByTestId('regenerate');
        assert.equal(await retry.textContent(), 'Retry');
        await retry.click();
        await assistantRows(page).filter({ hasText: 'Third time: they agree.' }).waitFor();
        await shown(4);
        assert.equal(asked(), 4);
        assert.deepEqual(await sidewaysOverflow(page), [], 'nothing sideways');
      } finally {
        await app.close();
      }
    });
  }

  for (const scheme of SCHEMES) {
    for (const width of WIDTHS) {
      test(`attachments fit and read well at ${width} px (${scheme})`, async () => {
        const app = await startApp(browser, { colorScheme: scheme, viewport: { width, height: 760 } });
        try {
          await app.open();
          await dropOnComposer(app.page, [
            { name: 'a-file-with-a-rather-long-name-that-must-not-widen-the-window.md', type: 'text/markdown', text: NOTES },
            { name: 'data.json', type: 'application/json', text: '{"a":1}' },
          ]);
          await app.page.getByTestId('attach-input').setInputFiles({ name: 'pixel.png', mimeType: 'image/png', buffer: Buffer.from(PNG, 'base64') });
          await chips(app.page).nth(2).waitFor();
          assert.deepEqual(await sidewaysOverflow(app.page), [], 'the chips fit');
          await assertAccessible(app.page, `the composer with attachments at ${width} px (${scheme})`);
          app.anthropic.script({ kind: 'stream', chunks: ['Read them.'] });
          await sendMessage(app.page, 'read these');
          await app.page.locator('[data-role="assistant"][data-status="done"]').waitFor();
          await app.page.getByTestId('message-attachment-image').waitFor();
          assert.deepEqual(await sidewaysOverflow(app.page), [], 'the sent files fit');
          await assertAccessible(app.page, `a sent message with attachments at ${width} px (${scheme})`);
          await app.screenshot(`attachments-${width}-${scheme}`);
        } finally {
          await app.close();
        }
      });
    }
  }
});
