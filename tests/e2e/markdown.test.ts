import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { chunk } from '../support/index.js';
import { assertAccessible, launchBrowser, SCHEMES, sendMessage, sidewaysOverflow, startApp, WIDTHS } from './support/app.js';

const CODE = 'function greet(name: string): string {\n  // says hello\n  return `hello ${name}`;\n}';

function reply(linkUrl: string): string {
  return [
    '# Weekly plan',
    '',
    'Some *emphasis*, **strong** and ~~old~~ words, and a [link to the docs](' + linkUrl + ').',
    '',
    '1. first',
    '2. second',
    '',
    '- [x] done item',
    '- [ ] open item',
    '',
    '| name | count |',
    '|------|------:|',
    '| apples | 3 |',
    '',
    '> quoted advice',
    '',
    '```ts',
    CODE,
    '```',
    '',
    'Markup stays text: <img src=x onerror="window.pwned=1"> and <b>no bold</b>.',
    '',
    '[a script link](javascript:window.pwned=2) and ![a chart](' + linkUrl + '/chart.png)',
  ].join('\n');
}

describe('replies as Markdown', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  for (const scheme of SCHEMES) {
    test(`a reply shows headings, lists, tables, quotes and highlighted code with copy buttons; markup stays text; links open outside the app (${scheme})`, async () => {
      const app = await startApp(browser, { colorScheme: scheme, viewport: { width: WIDTHS[1], height: 900 } });
      try {
        const linkUrl = `${app.anthropic.url}/docs`;
        const text = reply(linkUrl);
        app.anthropic.script({ kind: 'stream', chunks: chunk(text, 40), delayMs: 5 });
        const requested: string[] = [];
        app.page.on('request', (r) => requested.push(r.url()));
        await app.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(app.host.url).origin });
        await app.open();
        await sendMessage(app.page, 'plan my week');
        const row = app.page.locator('[data-role="assistant"][data-status="done"]');
        await row.waitFor();
        const body = row.getByTestId('message-text');

        assert.equal(await body.locator('h1').textContent(), 'Weekly plan');
        assert.equal(await body.locator('em').textContent(), 'emphasis');
        assert.equal(await body.locator('strong').textContent(), 'strong');
        assert.equal(await body.locator('del').textContent(), 'old');
        assert.deepEqual(await body.locator('ol > li').allTextContents(), ['first', 'second']);
        assert.deepEqual(await body.locator('input[type="checkbox"]').evaluateAll((els) => els.map((e) => [(e as HTMLInputElement).checked, (e as HTMLInputElement).disabled])), [
          [true, true],
          [false, true],
        ]);
        assert.deepEqual(await body.locator('th').allTextContents(), ['name', 'count']);
        assert.deepEqual(await body.locator('td').allTextContents(), ['apples', '3']);
        assert.equal((await body.locator('blockquote').textContent())?.trim(), 'quoted advice');

        const code = body.locator('.code-block');
        assert.equal(await code.getAttribute('data-language'), 'ts');
        assert.equal(await code.locator('pre code').textContent(), CODE);
        assert.ok((await code.locator('.token.keyword').count()) >= 2, 'keywords are coloured');
        assert.ok((await code.locator('.token.comment').count()) >= 1, 'comments are coloured');
        const keywordColour = await code.locator('.token.keyword').first().evaluate((el) => getComputedStyle(el).color);
        const plainColour = await code.locator('pre').evaluate((el) => getComputedStyle(el).color);
        assert.notEqual(keywordColour, plainColour);

        // Nothing in a reply becomes markup, a script or a request.
        assert.equal(await body.locator('img').count(), 0, 'no image element');
        assert.equal(await body.locator('b').count(), 0, 'no element from inline HTML');
        assert.match((await body.textContent()) ?? '', /Markup stays text: <img src=x onerror="window\.pwned=1"> and <b>no bold<\/b>\./);
        assert.equal(await body.locator('a[href^="javascript"]').count(), 0, 'a script link is not a link');
        assert.ok((await body.textContent())?.includes('a script link'));
        const imageLink = body.locator('a', { hasText: 'image: a chart' });
        assert.equal(await imageLink.getAttribute('href'), `${linkUrl}/chart.png`, 'an image is a link, not fetched');
        assert.deepEqual(requested.filter((u) => u.includes('/docs')), [], 'nothing was fetched from the reply');
        assert.equal(await app.page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);

        // Copy buttons: the code block alone, and the whole message as written.
        await code.getByTestId('copy-code').click();
        await code.locator('[data-testid="copy-code"][data-state="copied"]').waitFor();
        assert.equal(await app.page.evaluate(() => navigator.clipboard.readText()), CODE);
        await row.getByTestId('copy-message').click();
        await row.locator('[data-testid="copy-message"][data-state="copied"]').waitFor();
        assert.equal(await app.page.evaluate(() => navigator.clipboard.readText()), text);

        // A link opens a new tab that cannot reach back; the app's window stays where it is.
        const appUrl = app.page.url();
        const [popup] = await Promise.all([app.context.waitForEvent('page'), body.getByRole('link', { name: 'link to the docs' }).click()]);
        await popup.waitForURL(linkUrl);
        assert.equal(await popup.evaluate(() => window.opener), null, 'no opener');
        assert.equal(app.page.url(), appUrl, 'the app window did not navigate');
        await popup.close();

        for (const width of WIDTHS) {
          await app.page.setViewportSize({ width, height: 900 });
          await row.scrollIntoViewIfNeeded();
          assert.deepEqual(await sidewaysOverflow(app.page), [], `wide code and tables scroll inside the reply at ${width} px`);
          await assertAccessible(app.page, `a Markdown reply at ${width} px (${scheme})`);
          await app.screenshot(`markdown-${width}-${scheme}`);
        }
      } finally {
        await app.close();
      }
    });
  }
});
