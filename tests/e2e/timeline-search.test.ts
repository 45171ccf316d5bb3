import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ManualClock } from '../../core/util/clock.js';
import { waitFor } from '../support/index.js';
import { assertAccessible, launchBrowser, SCHEMES, sidewaysOverflow, startApp, WIDTHS } from './support/app.js';

const DAY = 24 * 3600_000;
/** Messages per day: two full days, then a few today (so today's separator is near the bottom). */
const PER_DAY = [500, 500, 5];

const localDay = (ts: number) => {
  const d = new Date(ts);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
};
const activeId = (page: Page) => page.evaluate(() => document.activeElement?.id ?? '');

describe('dates and search across the whole timeline', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  for (const scheme of SCHEMES) {
    test(`days are marked, times show the full date on hover, and Ctrl+F finds an old message and jumps to it, loading older pages (${scheme})`, async () => {
      // Three days of messages, ending now (the page labels days by the real "today").
      const today = new Date();
      today.setHours(9, 0, 0, 0);
      const clock = new ManualClock(today.getTime() - 2 * DAY);
      const app = await startApp(browser, { colorScheme: scheme, viewport: { width: WIDTHS[1], height: 860 }, clock });
      try {
        const { log } = app.host.core;
        const dayStarts: number[] = [];
        let n = 0;
        for (let day = 0; day < 3; day++) {
          dayStarts.push(clock.now());
          log.transaction(() => {
            for (let i = 0; i < PER_DAY[day]; i++, n++) {
              const text = n === 5 ? 'Remember the ryokan in Kyoto with the cedar bath?' : `Message ${n} about nothing much`;
              log.append('message.created', { messageId: `m${n}`, role: n % 2 ? 'assistant' : 'user', text, status: 'done' }, null);
              clock.advance(20_000);
            }
          });
          if (day < 2) clock.advance(DAY - PER_DAY[day] * 20_000);
        }
        await app.open();
        const last = `m${n - 1}`;
        await app.page.locator(`[data-id="${last}"]`).waitFor();
        const separator = app.page.getByTestId('day-separator').last();
        assert.equal(await separator.getAttribute('data-day'), localDay(dayStarts[2]));
        assert.equal(await separator.textContent(), 'Today');
        const title = await app.page.locator(`[data-id="${last}"] time`).getAttribute('title');
        assert.ok(title && title.includes(String(today.getFullYear())), `the full date on hover (${title})`);

        // Ctrl+F opens the search over the whole timeline, not the browser's find in the page.
        await app.page.getByTestId('composer-input').focus();
        await app.page.keyboard.press('Control+f');
        await app.page.getByTestId('timeline-search').waitFor();
        assert.equal(await activeId(app.page), 'timeline-search-input');
        await app.page.keyboard.type('cedar ryo');
        const hit = app.page.getByTestId('timeline-search-hit');
        // Each key typed searches again: wait for the search of the whole query, whose match marks both words.
        await waitFor(async () => (await hit.count()) === 1 && (await hit.locator('mark').allTextContents()).join(' ') === 'ryokan cedar', 10_000, 'one match for the whole query, marking both words');
        assert.equal(await hit.getAttribute('data-id'), 'm5');
        assert.deepEqual(await hit.locator('mark').allTextContents(), ['ryokan', 'cedar']);
        assert.equal(await app.page.getByTestId('timeline').locator('[data-id="m5"]').count(), 0, 'the match is not loaded yet');
        for (const width of WIDTHS) {
          await app.page.setViewportSize({ width, height: 860 });
          assert.deepEqual(await sidewaysOverflow(app.page), [], `search fits at ${width} px`);
          await assertAccessible(app.page, `timeline search at ${width} px (${scheme})`);
          await app.screenshot(`timeline-search-${width}-${scheme}`);
        }

        await app.page.keyboard.press('Enter');
        const target = app.page.getByTestId('timeline').locator('[data-id="m5"]');
        await target.waitFor({ timeout: 30_000 });
        await waitFor(async () => (await target.evaluate((el) => el.closest('.timeline-focused') !== null).catch(() => false)) && (await target.isVisible()), 10_000, 'the match scrolled into view and highlighted');
        const firstDay = app.page.locator(`[data-testid="day-separator"][data-day="${localDay(dayStarts[0])}"]`);
        await firstDay.waitFor();
        assert.notEqual(await firstDay.textContent(), 'Today');
        await app.screenshot(`timeline-search-jump-${scheme}`);

        await app.page.keyboard.press('Escape');
        await app.page.getByTestId('timeline-search').waitFor({ state: 'detached' });
        assert.equal(await activeId(app.page), 'composer-input', 'Esc closes the search and the composer has the focus');
      } finally {
        await app.close();
      }
    });
  }
});
