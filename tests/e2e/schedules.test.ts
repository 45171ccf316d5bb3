import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { waitFor } from '../support/index.js';
import { assertAccessibleInBothSchemes, assistantRows, browserForSuite, sidewaysOverflow, WIDTHS, withOpenApp } from './support/app.js';

const DAY = 86_400_000;

/** The next `count` weekday (Mon–Fri) 07:30 UTC instants after `now`, worked out without the scheduler. */
function weekdaysAt0730(now: number, count: number): string[] {
  const out: string[] = [];
  const midnight = Math.floor(now / DAY) * DAY;
  for (let day = midnight; out.length < count; day += DAY) {
    const at = day + 7.5 * 3_600_000;
    const weekday = new Date(at).getUTCDay();
    if (at > now && weekday >= 1 && weekday <= 5) out.push(new Date(at).toISOString());
  }
  return out;
}

describe('the schedules pane in the browser against the headless host', () => {
  const browser = browserForSuite();

  for (const width of WIDTHS) {
    test(`at ${width} px: a daily schedule is made in the editor with its description and next 5 times, run now puts its result in the timeline and its history, missed slots show, pause, edit and remove work`, async () => {
      await withOpenApp(browser(), { viewport: { width, height: 900 } }, async (app) => {
        const core = app.host.core;
        await app.page.getByTestId('nav-schedules').click();
        await app.page.getByTestId('schedules-empty').waitFor();

        // The editor describes the timing in plain words and lists the next five times as it is typed.
        await app.page.getByTestId('schedule-new').click();
        const editor = app.page.getByTestId('schedule-editor');
        await editor.getByTestId('schedule-name').fill('Morning brief');
        await editor.getByTestId('schedule-prompt').fill('Summarise what is on today.');
        await editor.getByTestId('schedule-kind').selectOption('interval');
        await editor.getByTestId('schedule-every').fill('30');
        await editor.getByTestId('schedule-unit').selectOption('seconds');
        await editor.getByTestId('schedule-warning').getByText(/very often/).waitFor();
        await editor.getByTestId('schedule-description').getByText('Runs every 30 seconds.').waitFor();
        await editor.getByTestId('schedule-kind').selectOption('cron');
        await editor.getByTestId('schedule-cron').fill('0 9 * *');
        await editor.getByTestId('schedule-timing-error').waitFor();
        assert.equal(await editor.getByTestId('schedule-save').isDisabled(), true, 'a timing that is refused cannot be saved');
        await editor.getByTestId('schedule-kind').selectOption('daily');
        await editor.getByTestId('schedule-time').fill('07:30');
        for (const day of ['mon', 'tue', 'wed', 'thu', 'fri']) await editor.getByTestId(`schedule-day-${day}`).check();
        await editor.getByTestId('schedule-description').getByText('Runs every weekday at 07:30 (UTC).').waitFor();
        assert.equal(await editor.getByTestId('schedule-warning').count(), 0, 'no warning for a daily time');
        // A new schedule notifies at both ends until told otherwise; this one only when it fails.
        assert.equal(await editor.getByTestId('schedule-notify-success').isChecked(), true);
        assert.equal(await editor.getByTestId('schedule-notify-failure').isChecked(), true);
        await editor.getByTestId('schedule-notify-success').uncheck();
        const expected = weekdaysAt0730(Date.now(), 5);
        await waitFor(async () => JSON.stringify(await editor.locator('[data-testid="schedule-next"] time').evaluateAll((els) => els.map((e) => e.getAttribute('datetime')))) === JSON.stringify(expected), 'the next five weekday 07:30 slots');
        await assertAccessibleInBothSchemes(app.page, `the schedule editor at ${width} px`);
        assert.deepEqual(await sidewaysOverflow(app.page), [], `the editor fits ${width} px`);
        await app.screenshot(`schedules-editor-${width}`);
        await editor.getByTestId('schedule-save').click();

        const row = app.page.getByTestId('schedule-row');
        await row.waitFor();
        await app.page.getByTestId('schedule-editor').waitFor({ state: 'detached' });
        const [saved] = (await core.gateway.call('schedules.list', {})).schedules;
        assert.equal(saved.name, 'Morning brief');
        assert.deepEqual(saved.spec, { kind: 'daily', time: '07:30', days: ['mon', 'tue', 'wed', 'thu', 'fri'], timeZone: 'UTC' });
        assert.equal(saved.nextRunAt, expected[0]);
        assert.deepEqual(saved.notify, { onSuccess: false, onFailure: true }, 'the notification choice is saved with the schedule');
        assert.equal(await row.getByTestId('schedule-next-run').locator('time').getAttribute('datetime'), expected[0]);
        assert.equal(await row.getByTestId('schedule-when').textContent(), 'every weekday at 07:30 (UTC)');
        await row.getByTestId('schedule-last-result').getByText('not run yet').waitFor();

        // Run now: the reply comes into the timeline, and the history shows the slot ran with its run.
        app.anthropic.script({ kind: 'stream', chunks: ['Today: ', 'standup at 10, ', 'dentist at 4.'], delayMs: 5 });
        await row.getByTestId('schedule-run-now').click();
        await waitFor(async () => (await core.gateway.call('schedules.get', { scheduleId: saved.id })).lastResult === 'ran', 'the run to end');
        await row.getByTestId('schedule-last-result').getByText(': ran').waitFor();
        const { runId } = (await core.gateway.call('schedules.history', { scheduleId: saved.id })).entries[0];
        assert.ok(runId);
        await row.getByTestId('schedule-history-toggle').click();
        const ran = app.page.locator(`[data-testid="schedule-history-row"][data-status="ran"][data-run-id="${runId}"]`);
        await ran.getByText('Ran (run now)').waitFor();
        assert.ok(app.anthropic.requests.some((r) => r.path === '/v1/messages' && JSON.stringify(r.body).includes('Summarise what is on today.')), 'the prompt reached the model');

        // Slots the app could not keep show in the history as missed (recorded as the scheduler does).
        const state = await core.gateway.call('schedules.get', { scheduleId: saved.id });
        const pointer = { nextRunAt: Date.parse(state.nextRunAt!), dueAt: Date.parse(state.nextRunAt!) };
        const missed = [Date.parse(expected[0]) - 3 * DAY, Date.parse(expected[0]) - 2 * DAY];
        core.log.transaction(() => core.log.append('schedule.slots', { scheduleId: saved.id, status: 'missed', reason: 'skip', slots: missed, range: null, ...pointer }));
        await waitFor(async () => (await app.page.locator('[data-testid="schedule-history-row"][data-status="missed"]').count()) === 2, 'two missed slots in the history');
        await app.page.locator('[data-testid="schedule-history-row"][data-status="missed"]').first().getByText('Missed: the app was closed or the machine asleep').waitFor();
        await assertAccessibleInBothSchemes(app.page, `the schedule list with its history at ${width} px`);
        assert.deepEqual(await sidewaysOverflow(app.page), [], `the list and history fit ${width} px`);
        await app.screenshot(`schedules-history-${width}`);

        await app.page.getByTestId('nav-chat').click();
        // The chat shows the run's result under the schedule's name, not its transcript.
        await app.page.locator(`[data-testid="timeline-row"][data-kind="run_result"][data-run-id="${runId}"]`).getByText('Today: standup at 10, dentist at 4.').waitFor();
        assert.equal(await assistantRows(app.page).count(), 0, 'no reply of the scheduled run among the chat’s messages');
        await app.page.getByTestId('nav-schedules').click();

        // Pause and resume.
        await row.getByTestId('schedule-pause').click();
        await row.getByTestId('schedule-status').getByText('Paused').waitFor();
        assert.equal((await core.gateway.call('schedules.get', { scheduleId: saved.id })).status, 'paused');
        assert.equal(await row.getByTestId('schedule-next-run').textContent(), '—');
        await row.getByTestId('schedule-resume').click();
        await row.getByTestId('schedule-status').getByText('Active').waitFor();

        // Edit the name and the notifications: the editor shows the saved choice, the timing keeps counting where it did.
        await row.getByTestId('schedule-edit').click();
        const again = app.page.getByTestId('schedule-editor');
        await again.getByTestId('schedule-name').fill('Weekday brief');
        assert.equal(await again.getByTestId('schedule-notify-success').isChecked(), false, 'the editor shows the saved choice: no notice on success');
        assert.equal(await again.getByTestId('schedule-notify-failure').isChecked(), true);
        await again.getByTestId('schedule-notify-success').check();
        await again.getByTestId('schedule-notify-failure').uncheck();
        await again.getByTestId('schedule-save').click();
        await row.getByRole('heading', { name: 'Weekday brief' }).waitFor();
        const edited = await core.gateway.call('schedules.get', { scheduleId: saved.id });
        assert.equal(edited.nextRunAt, expected[0]);
        assert.deepEqual(edited.notify, { onSuccess: true, onFailure: false });

        // Remove asks once more.
        await row.getByTestId('schedule-remove').click();
        await row.getByTestId('schedule-remove-confirm').click();
        await app.page.getByTestId('schedules-empty').waitFor();
        assert.equal((await core.gateway.call('schedules.list', {})).schedules.length, 0);
      });
    });
  }
});
