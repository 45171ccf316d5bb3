import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before } from 'node:test';
import axe from 'axe-core';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { DEFAULT_RENDERER_DIR, startHost, type Host } from '../../../core/host/index.js';
import { createMemorySecretStore } from '../../../core/secrets/index.js';
import type { Clock } from '../../../core/util/clock.js';
import { silentLogger } from '../../../core/util/logger.js';
import { AnthropicLoopback, OllamaLoopback, tempDir, WAIT_MS } from '../../support/index.js';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const SCREENSHOT_DIR = new URL('../../../test-output/e2e/', import.meta.url).pathname;

/** Headless Chromium from the system; the tests never download a browser. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(join(DEFAULT_RENDERER_DIR, 'index.html'))) {
    throw new Error(`no built renderer in ${DEFAULT_RENDERER_DIR}: run \`npm run build:renderer\` first (\`npm test\` does)`);
  }
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not at ${CHROMIUM}; install it (apt-get install chromium) or set CHROMIUM_PATH`);
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/**
 * One headless Chromium for the tests of the `describe` block this is called in: launched before
 * the first test, closed after the last. The getter hands it out once `before` has run.
 */
export function browserForSuite(): () => Browser {
  let browser: Browser | undefined;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });
  return () => {
    if (!browser) throw new Error('the browser is launched in the suite\'s before hook; call this getter inside a test');
    return browser;
  };
}

export interface E2EApp {
  host: Host;
  anthropic: AnthropicLoopback;
  ollama: OllamaLoopback;
  context: BrowserContext;
  page: Page;
  /** Opens the host's URL (with the token) in the page and waits for the connection. */
  open(): Promise<void>;
  /** Keeps a full-page screenshot under `test-output/e2e/`. */
  screenshot(name: string): Promise<void>;
  /** Console errors matching this are expected (a test that takes the host down on purpose). */
  allowConsoleErrors(pattern: RegExp): void;
  close(): Promise<void>;
}

/**
 * A headless host on a temporary data folder, with providers pointed at loopback Anthropic and
 * Ollama servers, and a fresh browser context on it.
 */
export interface StartAppOptions {
  colorScheme?: 'light' | 'dark';
  viewport?: { width: number; height: number };
  env?: Record<string, string>;
  clock?: Clock;
  /** The built UI to serve; the checkout's build by default (a benchmark may compare another). */
  rendererDir?: string;
}

export async function startApp(browser: Browser, options: StartAppOptions = {}): Promise<E2EApp> {
  const dir = tempDir('agent-blob-e2e-');
  const anthropic = await AnthropicLoopback.start();
  const ollama = await OllamaLoopback.start();
  const host = await startHost({
    dataDir: dir.path,
    owner: 'host',
    env: options.env ?? { ANTHROPIC_API_KEY: 'sk-ant-test-e2e-000000', ANTHROPIC_BASE_URL: anthropic.url, OLLAMA_HOST: ollama.url },
    secrets: createMemorySecretStore(),
    logger: silentLogger,
    deltaWindowMs: 16,
    timeZone: 'UTC',
    rendererDir: options.rendererDir ?? DEFAULT_RENDERER_DIR,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1100, height: 760 }, colorScheme: options.colorScheme ?? 'light' });
  // Every locator wait ends when the page shows what it waits for; this bounds only a hang.
  context.setDefaultTimeout(WAIT_MS);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  const allowed: RegExp[] = [];
  page.on('pageerror', (err) => pageErrors.push(String(err)));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !allowed.some((re) => re.test(msg.text()))) pageErrors.push(msg.text());
  });
  return {
    host,
    anthropic,
    ollama,
    context,
    page,
    async open() {
      await page.goto(host.url);
      await connectionState(page, 'open');
    },
    async screenshot(name) {
      mkdirSync(SCREENSHOT_DIR, { recursive: true });
      await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
    },
    allowConsoleErrors(pattern) {
      allowed.push(pattern);
    },
    async close() {
      await context.close();
      await host.close();
      await anthropic.close();
      await ollama.close();
      dir.cleanup();
      // A page that threw is a failure even when every assertion held.
      if (pageErrors.length) throw new Error(`the page reported errors:\n${pageErrors.join('\n')}`);
    },
  };
}

/**
 * Starts an app (as `startApp`), opens it in the page, runs `body` with it and closes it whatever
 * `body` did: the scripted responder is dropped first, so a reply held open does not outlive it.
 */
export async function withOpenApp(browser: Browser, options: StartAppOptions, body: (app: E2EApp) => Promise<void>): Promise<void> {
  const app = await startApp(browser, options);
  try {
    await app.open();
    await body(app);
  } finally {
    app.anthropic.respond(null);
    await app.close();
  }
}

/** Goes to a section from the navigation; under 900 px it sits behind the menu button. */
export async function openSection(page: Page, section: string, width: number): Promise<void> {
  if (width < 900) await page.getByTestId('menu-button').click();
  await page.getByTestId(`nav-${section}`).click();
}

export function rows(page: Page): Locator {
  return page.getByTestId('timeline-row');
}

export function assistantRows(page: Page): Locator {
  return page.locator('[data-testid="timeline-row"][data-role="assistant"]');
}

export async function connectionState(page: Page, state: string): Promise<void> {
  await page.locator(`[data-testid="connection-state"][data-state="${state}"]`).waitFor();
}

/** Types into the composer and presses Enter. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const input = page.getByTestId('composer-input');
  await input.fill(text);
  await input.press('Enter');
}

/**
 * Waits until the composer is empty again. It is cleared once the core has accepted the message,
 * which can come after the message's row (pushed as an event) is already shown.
 */
export async function composerCleared(page: Page): Promise<void> {
  await page.waitForFunction(() => (document.querySelector('[data-testid="composer-input"]') as HTMLTextAreaElement | null)?.value === '');
}

/** What the timeline shows, row by row, for comparisons. */
export async function visibleRows(page: Page): Promise<{ kind: string; role: string; status: string; text: string }[]> {
  return page.getByTestId('timeline-row').evaluateAll((elements) =>
    elements.map((el) => ({
      kind: el.getAttribute('data-kind') ?? '',
      role: el.getAttribute('data-role') ?? '',
      status: el.getAttribute('data-status') ?? '',
      text: el.querySelector('[data-testid="message-text"]')?.textContent ?? el.textContent ?? '',
    })),
  );
}

/** The widths every UI point is checked at: a narrow window and a common laptop one. */
export const WIDTHS = [420, 1280] as const;
export const SCHEMES = ['light', 'dark'] as const;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * Runs axe-core (WCAG 2.1 A and AA rules) on the page as it is now and returns the serious and
 * critical violations. Injected through the DevTools protocol, so the page's CSP does not stop it.
 */
export async function accessibilityViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate('typeof window.axe === "object"');
  if (!loaded) await page.evaluate(axe.source);
  const result = (await page.evaluate(`window.axe
    .run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })
    .then((r) => r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ') + ' :: ' + (n.failureSummary || '').replace(/\\s+/g, ' ')),
    })))`)) as AxeViolation[];
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Fails with every serious or critical axe-core violation spelled out. */
export async function assertAccessible(page: Page, where: string): Promise<void> {
  const violations = await accessibilityViolations(page);
  if (violations.length) {
    throw new Error(
      `${where}: ${violations.length} serious or critical accessibility violation(s):\n` +
        violations.map((v) => `- [${v.impact}] ${v.id}: ${v.help}\n    ${v.targets.slice(0, 5).join('\n    ')}`).join('\n'),
    );
  }
}

/**
 * Runs axe on the page as it is in its own colour scheme and again in the other one (the page is
 * switched with prefers-color-scheme and switched back), so one open app checks a busy state in
 * light and dark without building it twice.
 */
export async function assertAccessibleInBothSchemes(page: Page, where: string): Promise<void> {
  const dark = (await page.evaluate(`matchMedia('(prefers-color-scheme: dark)').matches`)) as boolean;
  await assertAccessible(page, `${where} (${dark ? 'dark' : 'light'})`);
  await page.emulateMedia({ colorScheme: dark ? 'light' : 'dark' });
  try {
    // Colours that ease from one palette to the other would be read half-way.
    await page.waitForFunction(`document.getAnimations().every((a) => a.playState !== 'running')`);
    await assertAccessible(page, `${where} (${dark ? 'light' : 'dark'})`);
  } finally {
    await page.emulateMedia({ colorScheme: dark ? 'dark' : 'light' });
  }
}

/**
 * What sticks out of the window sideways: elements whose right edge passes the window and that no
 * scrolling or clipping box inside the window holds (code blocks and tables scroll on their own).
 * Empty when nothing needs a horizontal scroll.
 */
export async function sidewaysOverflow(page: Page): Promise<string[]> {
  return page.evaluate(`(() => {
    const width = document.documentElement.clientWidth;
    const out = [];
    for (const el of document.querySelectorAll('body *')) {
      const r = el.getBoundingClientRect();
      if (r.width < 2 || r.height < 2 || r.right <= width + 1) continue;
      let held = false;
      for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
        const style = getComputedStyle(p);
        if (['auto', 'scroll', 'hidden', 'clip'].includes(style.overflowX) && p.getBoundingClientRect().right <= width + 1) { held = true; break; }
      }
      if (!held) out.push((el.getAttribute('data-testid') || el.className || el.tagName) + ' right=' + Math.round(r.right));
    }
    return out.slice(0, 10);
  })()`);
}
