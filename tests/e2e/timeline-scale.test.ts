import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { TIMELINE_PAGE_SIZE } from '../../renderer/store/timeline.js';
import { waitFor } from '../support/index.js';
import { assistantRows, launchBrowser, rows, sendMessage, startApp } from './support/app.js';

const ITEMS = 10_000;
/** Far fewer rows than items must be in the DOM: the view plus the overscan. */
const MAX_DOM_ROWS = 60;

let browser: Browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

test('a timeline of 10,000 items renders only a window of rows and scrolls from the newest to the oldest', async () => {
  const app = await startApp(browser);
  try {
    const { log } = app.host.core;
    log.transaction(() => {
      for (let i = 0; i < ITEMS; i++) {
        // Mixed heights: every seventh message spans several lines.
        const text = i % 7 === 0 ? `Message ${i}\n${'A longer line of text that wraps. '.repeat(6)}\nthird line` : `Message ${i}`;
        log.append('message.created', { messageId: `m${i}`, role: i % 2 ? 'assistant' : 'user', text, status: 'done' }, null);
      }
    });

    const opened = Date.now();
    await app.open();
    await app.page.locator('[data-id="m9999"]').waitFor();
    const firstPaintMs = Date.now() - opened;
    // Rows are measured as they render; the view settles at the bottom within a few frames.
    const fromBottom = () => app.page.getByTestId('timeline').evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    await waitFor(async () => (await fromBottom()) <= 2, 'the newest item at the bottom').catch(async () => {
      assert.fail(`the newest item is not at the bottom (${await fromBottom()}px away)`);
    });
    let domRows = await rows(app.page).count();
    assert.ok(domRows > 3 && domRows <= MAX_DOM_ROWS, `${domRows} rows in the DOM`);
    await app.screenshot('timeline-10k-newest');

    // Loading an older page keeps the reader where they were instead of jumping.
    const heightBefore = await app.page.getByTestId('timeline').evaluate((el) => el.scrollHeight);
    // At the very top of the newest page sits its first item.
    const anchor = `m${ITEMS - TIMELINE_PAGE_SIZE}`;
    await app.page.getByTestId('timeline').evaluate((el) => {
      el.scrollTop = 0;
    });
    await waitFor(
      async () => (await app.page.getByTestId('timeline').evaluate((el) => el.scrollHeight)) > heightBefore + 5000,
      'the second page',
    );
    const viewState = () =>
      app.page.getByTestId('timeline').evaluate((el) => {
        const ids = Array.from(el.querySelectorAll('[data-testid="timeline-row"]')).map((r) => r.getAttribute('data-id'));
        return `scrollTop ${el.scrollTop} of ${el.scrollHeight} (view ${el.clientHeight}), rows ${ids[0]}..${ids[ids.length - 1]}`;
      });
    await waitFor(async () => (await app.page.locator(`[data-id="${anchor}"]`).count()) > 0, 'the row that was at the top').catch(async () => {
      assert.fail(`the row that was at the top (${anchor}) left the view when older items loaded: ${await viewState()}`);
    });
    const anchorTop = await app.page.locator(`[data-id="${anchor}"]`).evaluate((el) => el.getBoundingClientRect().top);
    assert.ok(anchorTop > -200 && anchorTop < 300, `the row at the top stays in view after older items load (top at ${anchorTop}px)`);

    // Scroll to the top again and again: older pages load and the oldest item comes into view.
    const scrollStarted = Date.now();
    let maxRows = domRows;
    let pagesSeen = 0;
    // Stuck, not slow, is the failure: the oldest row reached so far has to keep getting older (a
    // busy machine only makes each step take longer). Counted from the oldest reached, not from the
    // last step's first row, so a first row that jumps back and forth still counts as stuck.
    let oldestReached = Number.POSITIVE_INFINITY;
    let still = 0;
    for (;;) {
      const state = await app.page.getByTestId('timeline').evaluate((el) => {
        el.scrollTop = 0;
        return { first: el.querySelector('[data-testid="timeline-row"]')?.getAttribute('data-id') ?? '' };
      });
      domRows = await rows(app.page).count();
      maxRows = Math.max(maxRows, domRows);
      assert.ok(domRows <= MAX_DOM_ROWS, `${domRows} rows in the DOM while scrolling`);
      if (state.first === 'm0') break;
      pagesSeen++;
      const index = Number(state.first.slice(1));
      if (Number.isInteger(index) && index < oldestReached) {
        oldestReached = index;
        still = 0;
      } else still++;
      assert.ok(still < 300, `the oldest item is reached by scrolling up (no row older than m${oldestReached} for ${still} steps; first row ${state.first || 'none'})`);
      await app.page.waitForTimeout(30);
    }
    const scrollToOldestMs = Date.now() - scrollStarted;
    await waitFor(() => app.page.locator('[data-id="m0"]').isVisible(), 'the oldest item to be visible');
    assert.equal(await app.page.getByTestId('timeline-older').count(), 0, 'no loading or error notice is left');
    await app.screenshot('timeline-10k-oldest');

    // Frame pacing while scrolling through the loaded list in steps.
    // A string, not a function: tsx would wrap the named frame callback in a `__name` the page lacks.
    const frames: number[] = await app.page.evaluate(`new Promise((resolve) => {
      const el = document.querySelector('[data-testid="timeline"]');
      const gaps = [];
      let last = performance.now();
      let step = 0;
      const frame = (now) => {
        gaps.push(now - last);
        last = now;
        el.scrollTop += 900;
        if (++step < 120) requestAnimationFrame(frame);
        else resolve(gaps.slice(1));
      };
      requestAnimationFrame(frame);
    })`);
    frames.sort((a, b) => a - b);
    const p50 = frames[Math.floor(frames.length * 0.5)];
    const p95 = frames[Math.floor(frames.length * 0.95)];
    console.log(
      JSON.stringify({ items: ITEMS, firstPaintMs, scrollToOldestMs, pageLoads: pagesSeen, maxDomRows: maxRows, frameGapP50Ms: +p50.toFixed(1), frameGapP95Ms: +p95.toFixed(1) }),
    );
    assert.ok((await rows(app.page).count()) <= MAX_DOM_ROWS);
  } finally {
    await app.close();
  }
});

test('the timeline follows a streaming reply while at the bottom and stays put once the reader scrolled up', async () => {
  const app = await startApp(browser);
  try {
    const { log } = app.host.core;
    log.transaction(() => {
      for (let i = 0; i < 40; i++) log.append('message.created', { messageId: `m${i}`, role: i % 2 ? 'assistant' : 'user', text: `Earlier message ${i}`, status: 'done' }, null);
    });
    const lines = Array.from({ length: 60 }, (_, i) => `line ${i}\n`);
    app.anthropic.script({ kind: 'stream', chunks: lines, delayMs: 30 });
    await app.open();
    await sendMessage(app.page, 'write many lines');
    const text = assistantRows(app.page).last().getByTestId('message-text');
    const timeline = app.page.getByTestId('timeline');
    const distanceFromBottom = () => timeline.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);

    await waitFor(async () => ((await text.textContent()) ?? '').includes('line 20'), 'twenty lines');
    // Unfollowed, the gap only grows with every line; followed, it is back near zero each frame.
    await waitFor(async () => (await distanceFromBottom()) <= 40, 'the growing reply to be followed').catch(async () => {
      assert.fail(`the growing reply is not followed (${await distanceFromBottom()}px from the bottom)`);
    });

    // A real wheel turn, as a reader scrolls: it must win over text streaming in at the same moment.
    const box = (await timeline.boundingBox())!;
    await app.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await app.page.mouse.wheel(0, -400);
    await waitFor(async () => (await distanceFromBottom()) > 300, 'the wheel scroll');
    const scrolledTo = await timeline.evaluate((el) => el.scrollTop);
    await waitFor(async () => ((await text.textContent()) ?? '').includes('line 40'), 'forty lines');
    const after = await timeline.evaluate((el) => el.scrollTop);
    assert.ok(Math.abs(after - scrolledTo) <= 2, `the view stays where the reader put it (${scrolledTo} → ${after})`);
    assert.ok((await distanceFromBottom()) > 300, 'and the reply grows below it');

    await app.page.getByTestId('jump-latest').click();
    await waitFor(async () => ((await text.textContent()) ?? '').includes('line 50'), 'fifty lines');
    await waitFor(async () => (await distanceFromBottom()) <= 40, 'following after the jump').catch(async () => {
      assert.fail(`Jump to latest does not follow the reply again (${await distanceFromBottom()}px from the bottom)`);
    });
    assert.equal(await app.page.getByTestId('jump-latest').count(), 0);
    await waitFor(async () => (await assistantRows(app.page).last().getAttribute('data-status')) === 'done', 'the reply to finish');
    await app.screenshot('scrolled-up-while-streaming');
  } finally {
    await app.close();
  }
});
