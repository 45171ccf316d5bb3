import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { chunk } from '../support/index.js';
import { launchBrowser, SCHEMES, sendMessage, startApp } from './support/app.js';

/**
 * The README's pictures of the app, taken from the real UI on every run so they stay current. A
 * picture is rewritten only when more than 3% of it changed (fonts render a few pixels
 * differently between machines), so a run on an unchanged UI leaves the checkout clean.
 */
const IMAGES = new URL('../../docs/images/', import.meta.url).pathname;
/** Share of pixels that may differ before the stored picture counts as out of date (a restyle, not a new menu entry). */
const CHANGED_SHARE = 0.03;

const QUESTION = 'What do I need for the Lisbon trip on Thursday?';
const REPLY = [
  '## Lisbon, Thursday',
  '',
  'From your notes and the booking email:',
  '',
  '- **Flight** TP 1331 leaves at 07:40 — be at the airport by 06:10',
  '- **Passport**: it expires in March, so it is still valid',
  '- *Adapter*: Portugal uses type F plugs',
  '',
  '| Day | Plan |',
  '|-----|------|',
  '| Thu | Arrive, check in near Baixa |',
  '| Fri | Talk at 14:00, slides on the laptop |',
  '',
  'To check the booking from a terminal:',
  '',
  '```sh',
  'agent-blob memory search "Lisbon booking"',
  '```',
].join('\n');

/** Share of differing pixels between two PNGs, compared in a blank page (no image library needed). */
async function differingShare(page: Page, a: Buffer, b: Buffer): Promise<number> {
  // A string, not a function: the test's TypeScript build adds helpers the page does not have.
  return (await page.evaluate(`(async () => {
    const load = (b64) => createImageBitmap(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: 'image/png' }));
    const [x, y] = await Promise.all([load(${JSON.stringify(a.toString('base64'))}), load(${JSON.stringify(b.toString('base64'))})]);
    if (x.width !== y.width || x.height !== y.height) return 1;
    const pixels = (img) => {
      const canvas = new OffscreenCanvas(img.width, img.height);
      const ctx = canvas.getContext('2d');
      ctx.drawImage(img, 0, 0);
      return ctx.getImageData(0, 0, img.width, img.height).data;
    };
    const [p, q] = [pixels(x), pixels(y)];
    let differ = 0;
    for (let i = 0; i < p.length; i += 4) if (Math.abs(p[i] - q[i]) + Math.abs(p[i + 1] - q[i + 1]) + Math.abs(p[i + 2] - q[i + 2]) > 24) differ++;
    return differ / (p.length / 4);
  })()`)) as number;
}

describe("the README's screenshots", () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  for (const scheme of SCHEMES) {
    test(`docs/images/app-${scheme}.png shows a conversation as the app draws it now (${scheme})`, async () => {
      const app = await startApp(browser, { colorScheme: scheme, viewport: { width: 1280, height: 800 } });
      try {
        app.anthropic.script({ kind: 'stream', chunks: chunk(REPLY, 24), delayMs: 2, usage: { input: 2140, output: 182 } });
        await app.open();
        await sendMessage(app.page, QUESTION);
        await app.page.locator('[data-role="assistant"][data-status="done"]').waitFor();
        await app.page.locator('.code-block').waitFor();
        // The clock in a picture is the one thing that changes every run.
        await app.page.evaluate(`document.querySelectorAll('time.row-time').forEach((time) => { time.textContent = '09:41'; })`);
        await app.page.getByTestId('composer-input').blur();
        const png = await app.page.screenshot({ animations: 'disabled', caret: 'hide' });
        const scratch = await browser.newPage();
        assert.equal(await differingShare(scratch, png, png), 0, 'the comparison sees no change in the same picture');
        const file = join(IMAGES, `app-${scheme}.png`);
        const share = existsSync(file) ? await differingShare(scratch, readFileSync(file), png) : 1;
        await scratch.close();
        if (share > CHANGED_SHARE) {
          mkdirSync(IMAGES, { recursive: true });
          writeFileSync(file, png);
        }
        assert.ok(existsSync(file));
        assert.ok(readFileSync(file).subarray(1, 4).toString() === 'PNG', 'a PNG image');
        const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
        assert.ok(readme.includes(`docs/images/app-${scheme}.png`), `the README shows app-${scheme}.png`);
      } finally {
        await app.close();
      }
    });
  }
});
