import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { currentBoot, dataPaths, readLock } from '../../core/datadir/index.js';
import { ManualClock } from '../../core/util/clock.js';
import { silentLogger } from '../../core/util/logger.js';
import { detectTraySupport, type RunCommand } from '../../electron/lifecycle.js';
import { startDesktop, type Desktop, type DesktopOptions } from '../../electron/main.js';
import { UPDATE_CHECK_INTERVAL_MS, type UpdaterLike } from '../../electron/updates.js';
import { tempDir, waitFor } from '../support/index.js';
import { createFakeElectron, FakeOs, type FakeElectron, type FakeWindow } from './fake-electron.js';

let dir: { path: string; cleanup(): void };
let appRoot: string;
let dataDir: string;
const started: Desktop[] = [];

beforeEach(() => {
  dir = tempDir('agent-blob-lifecycle-');
  appRoot = join(dir.path, 'app');
  dataDir = join(dir.path, 'data');
  mkdirSync(join(appRoot, 'dist', 'renderer', 'assets'), { recursive: true });
  writeFileSync(join(appRoot, 'dist', 'renderer', 'desktop.html'), '<!doctype html><title>Agent Blob</title>');
  writeFileSync(join(appRoot, 'dist', 'renderer', 'assets', 'index.js'), 'console.log("ui")');
  writeFileSync(join(appRoot, 'secret.txt'), 'not part of the UI');
});

afterEach(async () => {
  for (const desktop of started.splice(0)) await desktop.quit();
  dir.cleanup();
});

async function launch(fake: FakeElectron, options: Partial<DesktopOptions> = {}): Promise<Desktop> {
  const desktop = await startDesktop(fake.api, {
    appRoot,
    dataDir,
    env: {},
    platform: 'linux',
    core: { logger: silentLogger, timeZone: 'UTC' },
    traySupport: async () => 'yes',
    ...options,
  });
  assert.ok(desktop, 'the first instance starts');
  started.push(desktop);
  return desktop;
}

function mainWindow(fake: FakeElectron): FakeWindow {
  const [win] = fake.windows();
  assert.ok(win, 'a window was created');
  return win;
}

async function get(fake: FakeElectron, url: string, method = 'GET'): Promise<{ status: number; type: string | null; csp: string | null; body: string }> {
  const handler = fake.protocolHandler('app');
  assert.ok(handler, 'an app:// handler is installed');
  const response = await handler(new Request(url, { method }));
  return { status: response.status, type: response.headers.get('content-type'), csp: response.headers.get('content-security-policy'), body: await response.text() };
}

describe('the app:// protocol', () => {
  test('the scheme is registered as standard and secure before ready, and serves the built UI with the CSP header', async () => {
    const fake = createFakeElectron();
    await launch(fake);
    assert.deepEqual(fake.privilegedSchemes, [{ schemes: [{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } }], beforeReady: true }]);
    const page = await get(fake, 'app://agent-blob/desktop.html');
    assert.equal(page.status, 200);
    assert.equal(page.type, 'text/html; charset=utf-8');
    assert.match(page.csp ?? '', /default-src 'none'/);
    assert.match(page.body, /<title>Agent Blob<\/title>/);
    const script = await get(fake, 'app://agent-blob/assets/index.js?v=1');
    assert.equal(script.status, 200);
    assert.equal(script.type, 'text/javascript; charset=utf-8');
    assert.equal((await get(fake, 'app://agent-blob/')).body, page.body, 'the root is the desktop page');
  });

  test('nothing outside the UI folder, on another host, a folder, a missing file or a write is served', async () => {
    const fake = createFakeElectron();
    await launch(fake);
    for (const url of [
      'app://agent-blob/../secret.txt',
      'app://agent-blob/..%2Fsecret.txt',
      'app://agent-blob/%2e%2e/%2e%2e/secret.txt',
      'app://agent-blob/assets/..%5C..%5Csecret.txt',
      'app://agent-blob/assets',
      'app://agent-blob/missing.js',
      'app://other/desktop.html',
      'app://agent-blob/desktop.html%00.js',
    ]) {
      const response = await get(fake, url);
      assert.equal(response.status, 404, url);
      assert.doesNotMatch(response.body, /not part of the UI/, url);
    }
    assert.equal((await get(fake, 'app://agent-blob/desktop.html', 'POST')).status, 405);
  });
});

describe('locked down when installed', () => {
  test('DevTools and the reload/DevTools menu items exist only when running from a checkout', async () => {
    const dev = createFakeElectron();
    await launch(dev);
    assert.equal(mainWindow(dev).options.webPreferences.devTools, true);
    assert.match(JSON.stringify(dev.appMenu()), /toggleDevTools/);
    await started.pop()!.quit();

    const installed = createFakeElectron();
    installed.app.isPackaged = true;
    await launch(installed);
    assert.equal(mainWindow(installed).options.webPreferences.devTools, false);
    const menu = JSON.stringify(installed.appMenu());
    assert.doesNotMatch(menu, /toggleDevTools|"reload"/);
    assert.match(menu, /fileMenu/, 'Quit (Ctrl+Q) stays reachable from the window');
  });

  test('the installed app refuses to start with a remote-debugging switch; a checkout may', async () => {
    const installed = createFakeElectron();
    installed.app.isPackaged = true;
    installed.app.switches.add('remote-debugging-port');
    await assert.rejects(launch(installed), /remote-debugging-port/);
    assert.equal(installed.windows().length, 0);
    assert.equal(existsSync(join(dataDir, 'agent-blob.lock')), false, 'the data folder was never taken');

    const dev = createFakeElectron();
    dev.app.switches.add('remote-debugging-port');
    await launch(dev);
    assert.equal(dev.windows().length, 1);
  });

  test('spell checking is off until the person turns it on, and turning it off applies at once', async () => {
    const fake = createFakeElectron();
    const desktop = await launch(fake);
    assert.equal(mainWindow(fake).options.webPreferences.spellcheck, false);
    assert.deepEqual(fake.spellChecker, [false], 'the session checker is off before any page loads');
    await desktop.core.gateway.call('settings.update', { spellcheck: true });
    assert.deepEqual(fake.spellChecker, [false, true]);
    await desktop.core.gateway.call('settings.update', { spellcheck: false });
    assert.deepEqual(fake.spellChecker, [false, true, false]);
    await desktop.core.gateway.call('settings.update', { spellcheck: true });
    await desktop.quit();
    started.pop();

    const again = createFakeElectron();
    await launch(again);
    assert.equal(mainWindow(again).options.webPreferences.spellcheck, true, 'the next start opens the window with it');
    assert.deepEqual(again.spellChecker, [true]);
  });
});

describe('ending with the operating system', () => {
  test('Windows session end closes core at once: runs recorded as cancelled, database closed, lock released, process exits', async () => {
    const fake = createFakeElectron();
    const desktop = await launch(fake, { platform: 'win32' });
    const { core } = desktop;
    const runId = core.log.transaction(() => core.runs.create({ kind: 'chat', title: 'long answer' }));
    void core.runs.start(runId, () => new Promise(() => {}));
    await waitFor(() => core.runs.get(runId).status === 'running', 'the run to start');
    const lock = core.lock.path;
    assert.equal(readLock(lock)?.owner, 'desktop');

    mainWindow(fake).emit('session-end');
    assert.equal(existsSync(lock), false, 'the lock is released before the handler returns');
    assert.equal(core.db.open, false, 'the database is closed');
    assert.equal(fake.app.exitCode, 0, 'the app exits');
    assert.equal(fake.trays[0].destroyed, true);

    // The next start finds the run ended, not running.
    started.pop();
    const next = createFakeElectron();
    const after = await launch(next, { platform: 'win32' });
    const run = after.core.runs.get(runId);
    assert.equal(run.status, 'cancelled');
    assert.deepEqual(after.core.recoveredRuns, [], 'nothing was left for crash recovery');
  });

  test('after a restart of the machine, the lock the last session left does not stop the app, even when its pid now names a live program', async () => {
    mkdirSync(dataDir, { recursive: true });
    const lockFile = dataPaths(dataDir).lock;
    // Our parent is alive and not us, as any program given the old pid after a reboot would be.
    writeFileSync(lockFile, JSON.stringify({ pid: process.ppid, startedAt: 1, owner: 'desktop', endpoint: null, boot: 'id:an-earlier-boot' }));
    const desktop = await launch(createFakeElectron(), { platform: 'win32' });
    const lock = readLock(lockFile);
    assert.equal(lock?.pid, process.pid, 'the app took the folder over');
    assert.equal(lock?.boot, currentBoot());
    assert.equal(desktop.core.lock.path, lockFile);
  });

  test('a Linux or macOS shutdown is held off while core closes, then the app quits', async () => {
    const fake = createFakeElectron();
    const desktop = await launch(fake);
    const lock = desktop.core.lock.path;
    assert.equal(fake.systemShutdown(), true, 'the shutdown is delayed');
    await desktop.quit();
    assert.equal(fake.app.quitted, true);
    assert.equal(existsSync(lock), false);
  });
});

describe('where no tray icon can show', () => {
  test('closing the window keeps the app running and one notification says how to reopen it; a relaunch brings it back', async () => {
    const os = new FakeOs();
    const fake = createFakeElectron({ os });
    const desktop = await launch(fake, { traySupport: async () => 'no' });
    const win = mainWindow(fake);
    await waitFor(() => win.isVisible(), 'the window to show');
    win.userClose();
    assert.equal(win.isVisible(), false);
    assert.equal(fake.app.quitted, false, 'still running');
    assert.equal((await desktop.core.gateway.call('system.ping', {})).now > 0, true);
    assert.equal(fake.notifications.length, 1);
    assert.match(fake.notifications[0].title, /still running/);
    assert.match(fake.notifications[0].body, /start Agent Blob again/);
    assert.match(fake.notifications[0].body, /Ctrl\+Q/);

    win.show();
    win.userClose();
    assert.equal(fake.notifications.length, 1, 'told once per launch');

    const second = createFakeElectron({ os });
    assert.equal(await startDesktop(second.api, { appRoot, dataDir, env: {}, platform: 'linux', core: { logger: silentLogger }, traySupport: async () => 'no' }), null);
    assert.equal(win.isVisible(), true, 'relaunching shows the running window');
    assert.equal(win.focused, true);
  });

  test('where the tray shows, closing the window says nothing', async () => {
    const fake = createFakeElectron();
    await launch(fake, { traySupport: async () => 'yes' });
    mainWindow(fake).userClose();
    assert.deepEqual(fake.notifications, []);
  });

  test('the tray is detected from the session bus: the StatusNotifierWatcher present, absent, or no way to ask', async () => {
    const calls: string[] = [];
    const answers = (replies: Record<string, { ok: boolean; stdout: string }>): RunCommand => async (file) => {
      calls.push(file);
      return replies[file] ?? { ok: false, stdout: '' };
    };
    assert.equal(await detectTraySupport('linux', answers({ gdbus: { ok: true, stdout: '(true,)\n' } })), 'yes');
    assert.equal(await detectTraySupport('linux', answers({ gdbus: { ok: true, stdout: '(false,)\n' } })), 'no');
    assert.equal(await detectTraySupport('linux', answers({ 'dbus-send': { ok: true, stdout: 'method return time=1 sender=org.freedesktop.DBus\n   boolean false\n' } })), 'no');
    assert.equal(await detectTraySupport('linux', answers({})), 'unknown');
    calls.length = 0;
    assert.equal(await detectTraySupport('win32', answers({})), 'yes');
    assert.equal(await detectTraySupport('darwin', answers({})), 'yes');
    assert.deepEqual(calls, [], 'Windows and macOS always have a tray; nothing is run');
  });
});

class FakeUpdater extends EventEmitter implements UpdaterLike {
  autoDownload = false;
  autoInstallOnAppQuit = false;
  logger: UpdaterLike['logger'] = null;
  checks = 0;
  installs: [boolean | undefined, boolean | undefined][] = [];
  async checkForUpdates(): Promise<unknown> {
    this.checks++;
    return null;
  }
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void {
    this.installs.push([isSilent, isForceRunAfter]);
  }
}

describe('updates', () => {
  test('an installed app checks at start and every few hours, shows the download, and installs on quit', async () => {
    const clock = new ManualClock();
    const updater = new FakeUpdater();
    const fake = createFakeElectron();
    const desktop = await launch(fake, { core: { logger: silentLogger, timeZone: 'UTC', clock }, updater: async () => updater });
    await waitFor(() => updater.checks === 1, 'the first check');
    assert.equal(updater.autoDownload, true);
    assert.equal(updater.autoInstallOnAppQuit, true, 'a downloaded update is applied when the app quits');
    clock.advance(UPDATE_CHECK_INTERVAL_MS);
    assert.equal(updater.checks, 2);

    const win = mainWindow(fake);
    const tray = fake.trays[0];
    updater.emit('update-available', { version: '0.2.0' });
    updater.emit('download-progress', { percent: 42.4 });
    assert.equal(win.progress, 0.424, 'the download shows on the taskbar or dock icon');
    assert.match(tray.tooltip, /Downloading update 0\.2\.0: 42%/);
    assert.ok(tray.menu.some((item) => item.label === 'Downloading update 0.2.0… 42%' && item.enabled === false));

    updater.emit('update-downloaded', { version: '0.2.0' });
    assert.equal(win.progress, -1);
    assert.match(tray.tooltip, /0\.2\.0 installs when you quit/);
    assert.deepEqual(
      fake.notifications.map((n) => n.title),
      ['Agent Blob 0.2.0 is ready'],
    );
    clock.advance(UPDATE_CHECK_INTERVAL_MS);
    assert.equal(updater.checks, 2, 'no more checks once an update waits');

    await desktop.quit();
    assert.equal(fake.app.quitted, true, 'a plain quit quits; electron-updater installs on the way out');
    assert.deepEqual(updater.installs, []);
  });

  test('"Restart to install update" closes core first, then hands over to the installer', async () => {
    const updater = new FakeUpdater();
    const fake = createFakeElectron();
    const desktop = await launch(fake, { updater: async () => updater });
    await waitFor(() => updater.checks === 1, 'the first check');
    updater.emit('update-available', { version: '0.2.0' });
    updater.emit('update-downloaded', { version: '0.2.0' });
    const lock = desktop.core.lock.path;
    fake.trays[0].clickMenu('Restart to install update 0.2.0');
    await desktop.quit();
    assert.deepEqual(updater.installs, [[true, true]], 'installed silently and started again');
    assert.equal(fake.app.quitRequests, 0, 'the installer quits the app, not a second quit');
    assert.equal(existsSync(lock), false, 'core closed before the installer took over');
    assert.equal(desktop.core.db.open, false);
  });

  test('a failed check leaves the app as it was, and no updater means no checks at all', async () => {
    const updater = new FakeUpdater();
    const fake = createFakeElectron();
    await launch(fake, { updater: async () => updater });
    await waitFor(() => updater.checks === 1, 'the first check');
    updater.emit('update-available', { version: '0.2.0' });
    updater.emit('error', new Error('net::ERR_INTERNET_DISCONNECTED'));
    assert.equal(fake.trays[0].tooltip, 'Agent Blob');
    assert.equal(mainWindow(fake).progress, -1);
    await started.pop()!.quit();

    const none = createFakeElectron();
    await launch(none, { updater: async () => undefined });
    assert.ok(!none.trays[0].menu.some((item) => /update/i.test(item.label ?? '')));
  });
});
