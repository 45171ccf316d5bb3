import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { assertAccessible, launchBrowser, SCHEMES, sidewaysOverflow, startApp, WIDTHS, type E2EApp } from './support/app.js';

const PANES = ['chat', 'schedules', 'workers', 'memory', 'permissions', 'tools', 'settings'] as const;

/** A conversation with something of every kind the timeline shows. */
function seed(app: E2EApp): void {
  const { log } = app.host.core;
  const reply = [
    '## Plan for the week',
    '',
    'A *short* list, with **bold**, ~~struck~~ and a [link](https://example.com/docs):',
    '',
    '- [x] write the report',
    '- [ ] send it',
    '',
    '| day | task | a rather long column heading that needs room |',
    '|-----|------|------|',
    '| Mon | draft | ' + 'words '.repeat(20) + '|',
    '',
    '```ts',
    'const answer: number = 42; // a very long line of code that goes on and on and on past the edge of any narrow window',
    '```',
    '',
    '> a quote',
  ].join('\n');
  log.transaction(() => {
    log.append('message.created', { messageId: 'u1', role: 'user', text: 'What is the plan? '.repeat(8), status: 'done' }, null);
    log.append('message.created', { messageId: 'a1', role: 'assistant', text: reply, status: 'done' }, null);
    log.append('tool.started', { callId: 'c1', tool: 'read_text', args: '{"path":"notes/plan.md"}', capability: 'fs.read', resource: '/home/someone/notes/a-very-long-folder-name/another-long-folder/plan.md' }, null);
    log.append('tool.completed', { callId: 'c1', tool: 'read_text', ok: true, output: 'the plan', error: null }, null);
    log.append('timeline.error', { code: 'unavailable', message: 'the model did not answer' }, null);
  });
}

describe('the window from 420 px to wide, light and dark', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  for (const scheme of SCHEMES) {
    test(`every pane fits ${WIDTHS.join(' and ')} px without sideways scrolling and has no serious accessibility violation, contrast included (${scheme})`, async () => {
      const app = await startApp(browser, { colorScheme: scheme, viewport: { width: WIDTHS[0], height: 800 } });
      try {
        seed(app);
        await app.host.core.gateway.call('memory.add', { text: 'The weekly report goes out on Fridays, to the whole team, as a PDF.', area: 'main' });
        await app.host.core.gateway.call('schedules.add', { name: 'Weekly report reminder for the whole team', prompt: 'Remind me to send the report.', spec: { kind: 'cron', expr: '30 16 * * 5', timeZone: 'Europe/Berlin' } });
        await app.open();
        await app.page.locator('[data-id="a1"]').waitFor();
        for (const width of WIDTHS) {
          await app.page.setViewportSize({ width, height: 800 });
          const sidebar = await app.page.getByTestId('sidebar').boundingBox();
          const menu = app.page.getByTestId('menu-button');
          if (width < 900) {
            assert.ok(sidebar && sidebar.width <= 64, `an icon rail at ${width} px (${sidebar?.width} px wide)`);
            assert.equal(await menu.isVisible(), true, 'with a menu button');
            assert.equal(await app.page.locator('.nav-label').first().evaluate((el) => el.getBoundingClientRect().width), 1, 'labels hidden from sight');
            assert.equal(await app.page.getByRole('button', { name: 'Memory' }).count(), 1, 'each icon keeps its name');
          } else {
            assert.ok(sidebar && sidebar.width >= 200, `a sidebar with labels at ${width} px`);
            assert.equal(await menu.isVisible(), false);
            assert.equal(await app.page.locator('.nav-label').first().textContent(), 'Chat');
          }
          for (const pane of PANES) {
            await app.page.getByTestId(`nav-${pane}`).click();
            await app.page.getByTestId(`pane-${pane}`).waitFor();
            if (pane === 'memory') await app.page.getByTestId('memory-row').first().waitFor();
            if (pane === 'schedules') await app.page.getByTestId('schedule-row').first().waitFor();
            if (pane === 'settings') await app.page.getByTestId('settings-pane').locator('h2').first().waitFor();
            if (pane === 'workers') await app.page.getByText('No workers yet.', { exact: false }).waitFor();
            if (pane === 'tools') await app.page.getByTestId('mcp-empty').waitFor();
            if (pane === 'chat') {
              await app.page.locator('[data-id="a1"]').waitFor();
              const composer = await app.page.getByTestId('composer-input').boundingBox();
              assert.ok(composer && composer.width >= 280, `the composer is ${composer?.width} px wide at ${width} px`);
            }
            assert.deepEqual(await sidewaysOverflow(app.page), [], `nothing sticks out sideways: ${pane} at ${width} px`);
            await assertAccessible(app.page, `${pane} at ${width} px (${scheme})`);
            await app.screenshot(`layout-${pane}-${width}-${scheme}`);
          }
          if (width < 900) {
            // The menu opens the sidebar over the page with its labels; a choice or Esc closes it.
            await menu.click();
            await app.page.locator('.nav-label', { hasText: 'Memory' }).waitFor({ state: 'visible' });
            assert.ok(((await app.page.locator('.nav-label', { hasText: 'Memory' }).boundingBox())?.width ?? 0) > 20, 'labels are shown in the open menu');
            assert.equal(await menu.getAttribute('aria-expanded'), 'true');
            await assertAccessible(app.page, `the open menu at ${width} px (${scheme})`);
            await app.screenshot(`layout-menu-${width}-${scheme}`);
            await app.page.keyboard.press('Escape');
            assert.equal(await menu.getAttribute('aria-expanded'), 'false', 'Esc closes the menu');
            await menu.click();
            await app.page.getByTestId('nav-memory').click();
            await app.page.getByTestId('pane-memory').waitFor();
            assert.equal(await menu.getAttribute('aria-expanded'), 'false', 'choosing a pane closes the menu');
            await app.page.getByTestId('nav-chat').click();
          }
        }
      } finally {
        await app.close();
      }
    });
  }
});
