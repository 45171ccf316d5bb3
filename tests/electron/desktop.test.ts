import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { IPC_CHANNELS, type ServerFrame } from '../../core/contract/index.js';
import { readLock } from '../../core/datadir/index.js';
import { connectWebSocket } from '../../core/gateway/websocket-client.js';
import { silentLogger } from '../../core/util/logger.js';
import { startDesktop, type Desktop, type DesktopOptions } from '../../electron/main.js';
import { DESKTOP_CSP } from '../../electron/security.js';
import { tempDir, waitFor } from '../support/index.js';
import { createFakeElectron, FakeFrame, FakeOs, FakeWebContents, type FakeElectron, type FakeWindow } from './fake-electron.js';

let dir: { path: string; cleanup(): void };
let appRoot: string;
let dataDir: string;
const started: Desktop[] = [];

beforeEach(() => {
  dir = tempDir('agent-blob-desktop-');
  appRoot = join(dir.path, 'app');
  dataDir = join(dir.path, 'data');
  mkdirSync(join(appRoot, 'dist', 'renderer'), { recursive: true });
  writeFileSync(join(appRoot, 'dist', 'renderer', 'index.html'), '<!doctype html><title>Agent Blob</title>');
  writeFileSync(join(appRoot, 'dist', 'renderer', 'desktop.html'), '<!doctype html><title>Agent Blob</title>');
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

function framesTo(contents: FakeWebContents): ServerFrame[] {
  return contents.sent.filter((s) => s.channel === IPC_CHANNELS.frame).map((s) => s.args[0] as ServerFrame);
}

describe('desktop shell', () => {
  test('the window is sandboxed, isolated, without Node, and loads the desktop page from app:// with the preload', async () => {
    const fake = createFakeElectron();
    await launch(fake);
    const win = mainWindow(fake);
    const prefs = win.options.webPreferences;
    assert.equal(prefs.contextIsolation, true);
    assert.equal(prefs.sandbox, true);
    assert.equal(prefs.nodeIntegration, false);
    assert.equal(prefs.nodeIntegrationInSubFrames, false);
    assert.equal(prefs.webSecurity, true);
    assert.equal(prefs.webviewTag, false);
    assert.equal(prefs.allowRunningInsecureContent, false);
    assert.equal(prefs.experimentalFeatures, false);
    assert.equal('enableBlinkFeatures' in prefs, false, 'no Blink features switched on');
    assert.equal(prefs.preload, join(appRoot, 'dist', 'electron', 'preload.cjs'));
    assert.equal(win.loadedUrl, 'app://agent-blob/desktop.html');
    await waitFor(() => win.isVisible(), 'the window to show once ready');
    assert.equal(fake.app.getPath('userData'), dataDir);
    assert.equal(fake.app.name, 'Agent Blob');
  });

  test('the data folder and the single-instance lock are settled synchronously, before Electron is ready', async () => {
    const fake = createFakeElectron();
    let ready!: () => void;
    fake.app.whenReady = () => new Promise<void>((resolve) => (ready = resolve));
    const pending = startDesktop(fake.api, { appRoot, dataDir, env: {}, platform: 'linux', core: { logger: silentLogger }, traySupport: async () => 'yes' });
    // Electron emits `ready` only after the entry module has run, so these cannot wait for it.
    assert.equal(fake.app.getPath('userData'), dataDir);
    assert.equal(fake.app.name, 'Agent Blob');
    assert.ok(fake.app.listenerCount('second-instance') > 0, 'the second-instance handler is in place');
    assert.equal(fake.windows().length, 0, 'no window before ready');
    // macOS sends `activate` at launch, and a second launch may come early: neither may build a window yet.
    fake.app.emit('activate');
    fake.app.emit('second-instance');
    assert.equal(fake.windows().length, 0, 'still no window before ready');
    ready();
    const desktop = await pending;
    assert.ok(desktop);
    started.push(desktop);
    assert.equal(fake.windows().length, 1);
  });

  test('closing the window hides it to the tray and core keeps answering', async () => {
    const fake = createFakeElectron();
    const desktop = await launch(fake);
    const win = mainWindow(fake);
    await waitFor(() => win.isVisible(), 'the window to show');
    win.userClose();
    assert.equal(win.isDestroyed(), false, 'the window is kept');
    assert.equal(win.isVisible(), false, 'the window is hidden');
    assert.equal(fake.app.quitted, false, 'the app is still running');
    const ping = await desktop.core.gateway.call('system.ping', {});
    assert.equal(typeof ping.now, 'number');
  });

  test('tray Open shows and focuses the hidden window; tray Quit closes core and quits', async () => {
    const fake = createFakeElectron();
    const desktop = await launch(fake);
    const win = mainWindow(fake);
    win.userClose();
    const [tray] = fake.trays;
    assert.ok(tray, 'a tray icon exists');
    assert.equal(tray.tooltip, 'Agent Blob');
    assert.match((tray.image as unknown as { path: string }).path, /resources[\\/]tray\.png$/);
    tray.clickMenu('Open');
    assert.equal(win.isVisible(), true);
    assert.equal(win.focused, true);
    assert.equal(fake.windows().length, 1, 'the same window comes back');

    const lockFile = desktop.core.lock.path;
    assert.equal(readLock(lockFile)?.owner, 'desktop');
    tray.clickMenu('Quit');
    await desktop.quit();
    assert.equal(fake.app.quitted, true, 'Electron quits');
    assert.equal(tray.destroyed, true);
    assert.equal(win.isDestroyed(), true);
    assert.equal(existsSync(lockFile), false, 'core released the data folder');
    assert.equal(desktop.core.db.open, false, 'the database is closed');
  });

  test('a quit from elsewhere (Cmd+Q, logout) closes core before Electron goes', async () => {
    const fake = createFakeElectron();
    const desktop = await launch(fake);
    fake.app.quit();
    assert.equal(fake.app.quitted, false, 'the first quit waits for core');
    await desktop.quit();
    assert.equal(fake.app.quitted, true);
    assert.equal(desktop.core.db.open, false);
  });

  test('a second launch focuses the first window and quits itself', async () => {
    const os = new FakeOs();
    const first = createFakeElectron({ os });
    await launch(first);
    const win = mainWindow(first);
    win.userClose();
    assert.equal(win.isVisible(), false);

    const second = createFakeElectron({ os });
    const result = await startDesktop(second.api, { appRoot, dataDir, env: {}, platform: 'linux', core: { logger: silentLogger }, traySupport: async () => 'yes' });
    assert.equal(result, null, 'the second instance does not start');
    assert.equal(second.app.quitted, true, 'the second instance quits');
    assert.equal(second.windows().length, 0);
    assert.equal(win.isVisible(), true, 'the first window is shown');
    assert.equal(win.focused, true, 'and focused');
  });

  test('navigation is refused and window.open is denied; only web links reach the system browser', async () => {
    const fake = createFakeElectron();
    await launch(fake);
    const contents = mainWindow(fake).webContents;
    assert.equal(contents.tryNavigate('https://example.com/phish'), true, 'navigation prevented');
    assert.equal(contents.tryNavigate('file:///etc/passwd'), true);
    assert.equal(contents.tryNavigate('https://example.com/', 'will-redirect'), true);
    assert.ok(contents.windowOpenHandler, 'a window open handler is set');
    assert.deepEqual(contents.windowOpenHandler({ url: 'https://docs.example.com/page' }), { action: 'deny' });
    assert.deepEqual(contents.windowOpenHandler({ url: 'file:///etc/passwd' }), { action: 'deny' });
    assert.deepEqual(contents.windowOpenHandler({ url: 'javascript:alert(1)' }), { action: 'deny' });
    assert.deepEqual(contents.windowOpenHandler({ url: 'smb://host/share' }), { action: 'deny' });
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(fake.opened, ['https://example.com/phish', 'https://docs.example.com/page']);
    const webview = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    contents.emit('will-attach-webview', webview);
    assert.equal(webview.defaultPrevented, true, 'webviews are refused');
  });

  test('a link the page asks to open reaches the system browser only from the app page and only for web addresses', async () => {
    const fake = createFakeElectron();
    await launch(fake);
    const contents = mainWindow(fake).webContents;
    const appFrame = contents.mainFrame;
    fake.ipcMain.receive(IPC_CHANNELS.openExternal, contents, new FakeFrame('https://evil.example/'), 'https://example.com/from-a-foreign-frame');
    for (const url of ['file:///etc/passwd', 'javascript:alert(1)', 'https://user:secret@example.com/', 'smb://host/share', 42]) {
      fake.ipcMain.receive(IPC_CHANNELS.openExternal, contents, appFrame, url);
    }
    fake.ipcMain.receive(IPC_CHANNELS.openExternal, contents, appFrame, 'https://example.com/docs?a=1');
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(fake.opened, ['https://example.com/docs?a=1']);
  });

  test('an IPC frame from a foreign sender is dropped; one from the app page gets the gateway reply', async () => {
    const fake = createFakeElectron();
    await launch(fake);
    const contents = mainWindow(fake).webContents;
    const appFrame = contents.mainFrame;
    assert.equal(appFrame.url, 'app://agent-blob/desktop.html');

    const ping = { id: 1, command: 'system.ping', args: {} };
    // A page the window navigated to, the same page from file:// (where 'self' is the whole disk),
    // another page of the app's origin, an iframe inside the app, another webContents, a dead frame.
    fake.ipcMain.receive(IPC_CHANNELS.frame, contents, new FakeFrame('https://evil.example/'), ping);
    fake.ipcMain.receive(IPC_CHANNELS.frame, contents, new FakeFrame(pathToFileURL(join(appRoot, 'dist', 'renderer', 'desktop.html')).href), ping);
    fake.ipcMain.receive(IPC_CHANNELS.frame, contents, new FakeFrame('app://agent-blob/other.html'), ping);
    fake.ipcMain.receive(IPC_CHANNELS.frame, contents, new FakeFrame('app://another-host/desktop.html'), ping);
    fake.ipcMain.receive(IPC_CHANNELS.frame, contents, new FakeFrame(appFrame.url, appFrame), ping);
    const stranger = new FakeWebContents();
    stranger.mainFrame.url = appFrame.url;
    fake.ipcMain.receive(IPC_CHANNELS.frame, stranger, stranger.mainFrame, ping);
    fake.ipcMain.receive(IPC_CHANNELS.frame, contents, null, ping);
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(framesTo(contents), [], 'nothing answered the foreign senders');
    assert.deepEqual(framesTo(stranger), []);

    fake.ipcMain.receive(IPC_CHANNELS.open, contents, appFrame);
    fake.ipcMain.receive(IPC_CHANNELS.frame, contents, appFrame, ping);
    fake.ipcMain.receive(IPC_CHANNELS.frame, contents, appFrame, { id: 2, command: 'no.such.command', args: {} });
    const replies = await waitFor(() => (framesTo(contents).length >= 2 ? framesTo(contents) : null), 'two replies');
    const first = replies.find((f) => 'id' in f && f.id === 1);
    assert.ok(first && 'ok' in first && first.ok === true, 'the ping is answered');
    const second = replies.find((f) => 'id' in f && f.id === 2);
    assert.ok(second && 'ok' in second && second.ok === false && second.error.code === 'invalid_input');
  });

  test('events reach the page over IPC, and the session ends when the window contents are destroyed', async () => {
    const fake = createFakeElectron();
    const desktop = await launch(fake);
    const contents = mainWindow(fake).webContents;
    const frame = contents.mainFrame;
    fake.ipcMain.receive(IPC_CHANNELS.open, contents, frame);
    fake.ipcMain.receive(IPC_CHANNELS.frame, contents, frame, { id: 1, command: 'events.subscribe', args: { fromSeq: 0 } });
    await waitFor(() => framesTo(contents).some((f) => 'id' in f && f.id === 1), 'the subscribe reply');
    desktop.core.log.transaction(() => desktop.core.runs.create({ kind: 'chat', title: 'hello' }));
    await waitFor(() => framesTo(contents).some((f) => 'event' in f), 'a pushed event');

    contents.destroy();
    const before = framesTo(contents).length;
    desktop.core.log.transaction(() => desktop.core.runs.create({ kind: 'chat', title: 'after' }));
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(framesTo(contents).length, before, 'nothing is sent to destroyed contents');
  });

  test('every response gets the strict CSP, replacing any the response carried, and browser permissions are refused but a clipboard write', async () => {
    const fake = createFakeElectron();
    await launch(fake);
    const listener = fake.headerListener();
    assert.ok(listener, 'a headers listener is installed');
    let headers: Record<string, string[]> | undefined;
    listener({ url: 'file:///app/index.html', responseHeaders: { 'content-security-policy': ["default-src *"], 'X-Other': ['1'] } }, (r) => {
      headers = r.responseHeaders;
    });
    assert.deepEqual(headers, { 'X-Other': ['1'], 'Content-Security-Policy': [DESKTOP_CSP] });
    assert.match(DESKTOP_CSP, /default-src 'none'/);
    assert.match(DESKTOP_CSP, /script-src 'self'(;|$)/);
    assert.doesNotMatch(DESKTOP_CSP, /unsafe-eval/);
    let granted: boolean | null = null;
    fake.permissionHandler()?.(null, 'media', (g) => (granted = g));
    assert.equal(granted, false);
    assert.equal(fake.permissionCheck()?.(null, 'notifications'), false, 'permission checks are refused too');
    assert.equal(fake.permissionCheck()?.(null, 'clipboard-sanitized-write'), true, 'except writing the clipboard');
  });

  test('the CLI finds the running desktop app through the lock and talks to it over the loopback gateway', async () => {
    const fake = createFakeElectron();
    const desktop = await launch(fake);
    const lock = readLock(desktop.core.lock.path);
    assert.ok(lock?.endpoint, 'the endpoint is published');
    assert.match(lock.endpoint.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const wsUrl = `${lock.endpoint.url.replace('http:', 'ws:')}ws?token=${lock.endpoint.token}`;
    const client = connectWebSocket(wsUrl);
    try {
      const info = await client.call('system.info', {});
      assert.equal(info.dataDir, desktop.core.paths.dir);
    } finally {
      client.close();
    }
  });

  test('API keys are encrypted with safeStorage, and keys the host stored in plain text are imported once', async () => {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(join(dataDir, 'secrets.json'), JSON.stringify({ 'anthropic.apiKey': 'sk-ant-from-the-host-123456' }), { mode: 0o600 });
    const fake = createFakeElectron();
    const desktop = await launch(fake);
    const doctor = await desktop.core.gateway.call('system.doctor', { probeProviders: false });
    const secrets = doctor.checks.find((c) => c.name === 'secrets');
    assert.equal(secrets?.status, 'ok');
    assert.match(secrets?.detail ?? '', /safeStorage/);
    const stored = readFileSync(join(dataDir, 'secrets.safe.json'), 'utf8');
    assert.doesNotMatch(stored, /sk-ant-from-the-host/, 'no plain key in the encrypted file');
    assert.equal(desktop.core.settings.get().providers.anthropic.apiKeySource, 'settings');
  });

  test('without a keyring the keys stay in the 0600 file and the health check warns', async () => {
    const fake = createFakeElectron({ encryption: true, backend: 'basic_text' });
    const desktop = await launch(fake);
    const doctor = await desktop.core.gateway.call('system.doctor', { probeProviders: false });
    const secrets = doctor.checks.find((c) => c.name === 'secrets');
    assert.equal(secrets?.status, 'warn');
    assert.match(secrets?.detail ?? '', /unencrypted.*keyring/);
  });

  test('core shows native notifications, and clicking one brings the hidden window back', async () => {
    const fake = createFakeElectron();
    const desktop = await launch(fake);
    const win = mainWindow(fake);
    win.userClose();
    assert.ok(desktop.core.notifier, 'core has a notifier');
    await desktop.core.notifier.notify({ title: 'Approval needed', body: 'shell.exec: ls' });
    assert.deepEqual(
      fake.notifications.map(({ title, body }) => ({ title, body })),
      [{ title: 'Approval needed', body: 'shell.exec: ls' }],
    );
    fake.notifications[0].click();
    assert.equal(win.isVisible(), true);
    assert.equal(win.focused, true);
  });

  test('permission requests waiting for a person show on the tray tooltip and badge until decided', async () => {
    const fake = createFakeElectron();
    const desktop = await launch(fake);
    const { core } = desktop;
    const call = { capability: 'shell.exec', resource: 'ls', resolved: null, tool: 'run_command', argsSummary: 'ls', scope: {}, mode: 'normal' as const };
    const runId = core.log.transaction(() => core.runs.create({ kind: 'chat', title: 'list files' }));
    core.log.transaction(() => {
      core.log.append('permission.requested', { ...call, requestId: 'req-1', reason: 'asks', expiresAt: core.clock.now() + 60_000 }, runId);
      core.log.append('permission.requested', { ...call, requestId: 'req-2', reason: 'asks', expiresAt: core.clock.now() + 60_000 }, runId);
    });
    await waitFor(() => fake.trays[0].tooltip === 'Agent Blob: 2 approvals waiting', 'the tooltip to count two requests');
    assert.equal(fake.app.badge, 2);
    core.log.transaction(() => {
      for (const requestId of ['req-1', 'req-2']) {
        core.log.append('permission.decided', { ...call, requestId, decision: 'deny', decidedBy: 'user', ruleId: null, reason: 'no', answer: 'deny' }, runId);
      }
    });
    await waitFor(() => fake.trays[0].tooltip === 'Agent Blob', 'the tooltip to clear');
    assert.equal(fake.app.badge, 0);
  });

  test('the tray shows how many workers are active, and stops when they have ended', async () => {
    const fake = createFakeElectron();
    const desktop = await launch(fake);
    const { core } = desktop;
    const spawn = (task: string) =>
      core.log.transaction(() => {
        const runId = core.runs.create({ kind: 'worker', title: task });
        core.log.append('worker.spawned', { role: 'researcher', task, parentRunId: null, depth: 1 }, runId);
        return runId;
      });
    const first = spawn('read the logs');
    spawn('summarise the logs');
    await waitFor(() => fake.trays[0].tooltip === 'Agent Blob\n2 workers active', 'the tooltip to count two workers');
    core.log.transaction(() => core.runs.transition(first, 'cancelled', { reason: 'cancelled_by_user' }));
    await waitFor(() => fake.trays[0].tooltip === 'Agent Blob\n1 worker active', 'the tooltip to count one worker');
  });

  test('on macOS the tray uses the template image and the dock icon brings the window back', async () => {
    const fake = createFakeElectron();
    await launch(fake, { platform: 'darwin' });
    const image = fake.trays[0].image as unknown as { path: string; template: boolean };
    assert.match(image.path, /trayTemplate\.png$/);
    assert.equal(image.template, true);
    const win = mainWindow(fake);
    win.userClose();
    fake.app.emit('activate');
    assert.equal(win.isVisible(), true);
  });
});
