import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chunk } from '../support/index.js';
import { envelopeReply, isWorkerRequest, turnsBefore } from '../core/workers/support.js';
import { assertAccessibleInBothSchemes, assistantRows, browserForSuite, openSection, sendMessage, WIDTHS, withOpenApp } from './support/app.js';

/** The messages of a Messages request as one string. */
const messagesOf = (body: unknown) => JSON.stringify((body as { messages: unknown }).messages);

describe('results of schedules and workers in the master timeline, in the browser', () => {
  const browser = browserForSuite();

  for (const width of WIDTHS) {
    test(`at ${width} px: a scheduled run shows as one result in the chat, its transcript opens on its own, and a reply brings the result into the next request`, async () => {
      await withOpenApp(browser(), { viewport: { width, height: 800 } }, async (app) => {
        const core = app.host.core;
        app.anthropic.script(
          { kind: 'stream', chunks: chunk('Hi! How can I help?', 5) },
          { kind: 'stream', chunks: chunk('Inbox: 3 unread, one from the bank about the MORTGAGE-RATE.', 6), delayMs: 5 },
          { kind: 'stream', chunks: chunk('The bank wrote about the rate.', 5) },
        );
        await sendMessage(app.page, 'hello');
        await assistantRows(app.page).filter({ hasText: 'How can I help?' }).waitFor();

        const schedule = await core.gateway.call('schedules.add', { name: 'Inbox check', spec: { kind: 'interval', everySeconds: 3600 }, prompt: 'SCHEDULED: check my inbox' });
        const { runId } = await core.gateway.call('schedules.runNow', { scheduleId: schedule.id });
        const result = app.page.locator(`[data-testid="timeline-row"][data-kind="run_result"][data-run-id="${runId}"]`);
        await result.waitFor();
        await result.getByTestId('result-summary').getByText('MORTGAGE-RATE').waitFor();
        assert.equal(await result.getAttribute('data-status'), 'done');
        await result.getByText('Scheduled “Inbox check”').waitFor();
        // The run's own reply is not a row of the master timeline: only its result is.
        assert.equal(await app.page.locator(`[data-testid="timeline-row"][data-kind="message"][data-run-id="${runId}"]`).count(), 0);
        assert.equal(await app.page.locator('[data-testid="timeline-row"][data-kind="run_result"]').count(), 1);
        await assertAccessibleInBothSchemes(app.page, `a result in the timeline at ${width} px`);
        await app.screenshot(`result-row-${width}`);

        // Its whole transcript opens in a view of its own, and Close goes back.
        await result.getByTestId('result-open').click();
        const dialog = app.page.getByTestId('thread-dialog');
        await dialog.waitFor();
        assert.equal(await dialog.getAttribute('data-thread-id'), `schedule:${schedule.id}`);
        await dialog.locator(`[data-testid="timeline-row"][data-kind="message"][data-run-id="${runId}"]`).getByText('one from the bank').waitFor();
        await assertAccessibleInBothSchemes(app.page, `a schedule's transcript at ${width} px`);
        await app.screenshot(`result-thread-${width}`);
        // The keyboard stays in the transcript until Esc closes it; then the composer has it.
        for (let i = 0; i < 6; i++) {
          await app.page.keyboard.press(i % 3 === 2 ? 'Shift+Tab' : 'Tab');
          assert.equal(await app.page.evaluate(() => Boolean(document.activeElement?.closest('[data-testid="thread-dialog"]'))), true, `focus inside the transcript after ${i + 1} presses`);
        }
        await app.page.keyboard.press('Escape');
        await dialog.waitFor({ state: 'detached' });
        assert.equal(await app.page.evaluate(() => document.activeElement?.id), 'composer-input', 'focus returns to the composer');

        // A reply: the result goes into the chat's context with the message, and only then.
        await result.getByTestId('result-reply').click();
        await app.page.getByTestId('replying-to').getByText('Inbox check').waitFor();
        const before = app.anthropic.requests.length;
        await sendMessage(app.page, 'what did the bank want?');
        await assistantRows(app.page).filter({ hasText: 'The bank wrote about the rate.' }).waitFor();
        await app.page.getByTestId('replying-to').waitFor({ state: 'detached' });
        const user = app.page.locator('[data-testid="timeline-row"][data-role="user"]').filter({ hasText: 'what did the bank want?' });
        await user.getByTestId('message-reply-to').getByText('Inbox check').waitFor();
        const request = app.anthropic.requests.slice(before).find((r) => r.path === '/v1/messages');
        assert.ok(request);
        assert.match(messagesOf(request.body), /MORTGAGE-RATE/);
        assert.match(messagesOf(request.body), /what did the bank want\?/);

        // From the schedules pane, the same transcript.
        await openSection(app.page, 'schedules', width);
        await app.page.getByTestId('schedule-row').getByTestId('schedule-transcript').click();
        await dialog.getByText('one from the bank').waitFor();
        await dialog.getByTestId('thread-close').click();
        await dialog.waitFor({ state: 'detached' });
      });
    });
  }

  test('a worker the chat started shows as one result; its transcript opens from the result; the next request carries neither', async () => {
    await withOpenApp(browser(), { viewport: { width: 1100, height: 800 } }, async (app) => {
      const core = app.host.core;
      await core.gateway.call('permissions.rules.add', { effect: 'allow', capability: 'worker.spawn', pattern: '*' });
      app.anthropic.respond((body) => {
        if (!isWorkerRequest(body)) return null;
        if (turnsBefore(body) === 0) return { kind: 'stream', chunks: ['WORKER-NOTES checked the calendar. '], toolCalls: [{ name: 'current_time', arguments: {} }] };
        return envelopeReply({ summary: 'ENVELOPE: the launch is on Tuesday.' });
      });
      app.anthropic.script(
        { kind: 'stream', chunks: ['Asking a researcher.'], toolCalls: [{ name: 'spawn_worker', arguments: { role: 'researcher', task: 'find the launch day' } }] },
        { kind: 'stream', chunks: chunk('Tuesday, says the researcher.', 5) },
        { kind: 'stream', chunks: chunk('You are welcome.', 5) },
      );
      await sendMessage(app.page, 'when is the launch?');
      await assistantRows(app.page).filter({ hasText: 'Tuesday, says the researcher.' }).waitFor();
      const result = app.page.locator('[data-testid="timeline-row"][data-kind="run_result"][data-source="worker"]');
      await result.getByTestId('result-summary').getByText('ENVELOPE: the launch is on Tuesday.').waitFor();
      assert.equal(await result.count(), 1);
      await result.getByText('find the launch day').waitFor();
      await result.getByTestId('result-open').click();
      const dialog = app.page.getByTestId('thread-dialog');
      await dialog.getByText('WORKER-NOTES', { exact: false }).first().waitFor();
      await dialog.getByTestId('thread-close').click();
      await dialog.waitFor({ state: 'detached' });

      const before = app.anthropic.requests.length;
      await sendMessage(app.page, 'thanks');
      await assistantRows(app.page).filter({ hasText: 'You are welcome.' }).waitFor();
      const request = app.anthropic.requests.slice(before).find((r) => r.path === '/v1/messages' && !isWorkerRequest(r.body));
      assert.ok(request);
      assert.doesNotMatch(messagesOf(request.body), /WORKER-NOTES|ENVELOPE/);
    });
  });
});
