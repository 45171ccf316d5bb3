import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { silentLogger } from '../../core/util/logger.js';
import { createMemorySecretStore } from '../../core/secrets/index.js';
import { startDesktop } from '../../electron/main.js';
import { AnthropicLoopback, chunk, tempDir, WAIT_MS } from '../support/index.js';
import { createFakeElectron, FakeFrame } from './fake-electron.js';

/**
 * The closest this machine gets to the real window: the built desktop page, served by the app's own
 * app:// handler (with its CSP header and meta tag), in real Chromium, with the real built preload
 * running against a stand-in for the `electron` module whose IPC goes to the real main-process
 * wiring (startDesktop with the fake Electron) and so to core. Chromium here cannot load a custom
 * scheme, so the page's origin is https://agent-blob.test (secure, as app:// is), routed to that handler.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const rendererIndex = join(root, 'dist', 'renderer', 'index.html');
const skip = !existsSync(CHROMIUM)
  ? `Chromium is not at ${CHROMIUM}`
  : !existsSync(rendererIndex)
    ? 'the renderer is not built (npm run build:renderer; npm test does it)'
    : false;

const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const STAND_IN_ORIGIN = 'https://agent-blob.test';
const asAppUrl = (url: string) => (url.startsWith(STAND_IN_ORIGIN) ? `app://agent-blob${url.slice(STAND_IN_ORIGIN.length)}` : url);

describe('the desktop page in Chromium', { skip }, () => {
  let browser: Browser;
  let preload: string;
  before(async () => {
    execFileSync(process.execPath, [join(root, 'electron', 'build.mjs')], { cwd: root, stdio: 'pipe' });
    preload = readFileSync(join(root, 'dist', 'electron', 'preload.cjs'), 'utf8');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  });
  after(async () => {
    await browser?.close();
  });

  test('the UI loads under the strict CSP, talks to core only through the preload bridge, and streams a reply', async () => {
    const dir = tempDir('agent-blob-desktop-page-');
    const anthropic = await AnthropicLoopback.start();
    const reply = 'Hello from the desktop window.';
    anthropic.script({ kind: 'stream', chunks: chunk(reply, 5), delayMs: 10 });
    const fake = createFakeElectron();
    const desktop = await startDesktop(fake.api, {
      appRoot: root,
      dataDir: join(dir.path, 'data'),
      env: { ANTHROPIC_API_KEY: 'sk-ant-test-desktop-000000', ANTHROPIC_BASE_URL: anthropic.url },
      platform: 'linux',
      core: { logger: silentLogger, secrets: createMemorySecretStore(), deltaWindowMs: 16, timeZone: 'UTC' },
      traySupport: async () => 'yes',
    });
    assert.ok(desktop);
    const context = await browser.newContext();
    context.setDefaultTimeout(WAIT_MS);
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(String(e)));
    const network: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(`${STAND_IN_ORIGIN}/`) && !r.url().startsWith('data:')) network.push(r.url());
    });
    const serve = fake.protocolHandler('app');
    assert.ok(serve, 'the app:// handler is installed');
    await context.route(`${STAND_IN_ORIGIN}/**`, async (route) => {
      const response = await serve(new Request(asAppUrl(route.request().url())));
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => (headers[name] = value));
      await route.fulfill({ status: response.status, headers, body: Buffer.from(await response.arrayBuffer()) });
    });
    try {
      const win = fake.windows()[0];
      const contents = win.webContents;
      assert.equal(win.loadedUrl, 'app://agent-blob/desktop.html');

      // Main -> page: what the shell sends to the window's webContents reaches the preload's listeners.
      let delivery = Promise.resolve();
      contents.onSend = (channel, args) => {
        delivery = delivery.then(() => page.evaluate(([c, frame]) => (window as unknown as { __deliver(c: string, f: unknown): void }).__deliver(c, frame), [channel, args[0]] as const)).catch(() => {});
      };
      // Page -> main: the preload's ipcRenderer.send arrives at ipcMain with the real page's frame URL.
      await page.exposeBinding('__ipcSend', (source, channel: string, payload: unknown) => {
        fake.ipcMain.receive(channel, contents, new FakeFrame(asAppUrl(source.frame.url())), ...(payload === undefined ? [] : [payload]));
      });
      await page.addInitScript(`
        (() => {
          const listeners = {};
          window.__deliver = (channel, frame) => { for (const l of listeners[channel] || []) l({}, frame); };
          const electron = {
            contextBridge: { exposeInMainWorld(key, api) { Object.defineProperty(window, key, { value: Object.freeze(api) }); } },
            ipcRenderer: {
              on(channel, listener) { (listeners[channel] ||= []).push(listener); },
              send(channel, ...args) { window.__ipcSend(channel, args[0]); },
            },
          };
          const require = (name) => { if (name !== 'electron') throw new Error('the sandboxed preload required ' + name); return electron; };
          const module = { exports: {} };
          (function (require, module, exports) {
            ${preload.replace(/\/\/# sourceMappingURL=.*$/m, '')}
          })(require, module, module.exports);
        })();
      `);

      const loaded = await page.goto(`${STAND_IN_ORIGIN}/desktop.html`);
      assert.match(loaded?.headers()['content-security-policy'] ?? '', /default-src 'none'/, 'the handler sends the CSP as a header');
      await page.locator('[data-testid="connection-state"][data-state="open"]').waitFor();
      const input = page.getByTestId('composer-input');
      await input.fill('hello desktop');
      await input.press('Enter');
      await page.locator('[data-role="assistant"][data-status="done"]').waitFor();
      assert.equal(await page.locator('[data-role="assistant"]').getByTestId('message-text').textContent(), reply);

      const csp = await page.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.getAttribute('content'));
      assert.match(csp ?? '', /default-src 'none'.*connect-src 'none'/);
      // The policy is live: the page cannot open a connection of its own.
      const blocked = await page.evaluate(async () => {
        try {
          await fetch('http://127.0.0.1:9/');
          return false;
        } catch {
          return true;
        }
      });
      assert.equal(blocked, true, 'fetch is refused by connect-src');
      assert.deepEqual(network, [], 'the page made no network request');
      const unexpected = problems.filter((p) => !/127\.0\.0\.1:9|connect-src/.test(p));
      assert.deepEqual(unexpected, [], 'no CSP violation or error while the UI ran');

      mkdirSync(join(root, 'test-output', 'electron'), { recursive: true });
      await page.screenshot({ path: join(root, 'test-output', 'electron', 'desktop-page.png'), fullPage: true });
    } finally {
      await context.close();
      await desktop.quit();
      await anthropic.close();
      dir.cleanup();
    }
  });
});
