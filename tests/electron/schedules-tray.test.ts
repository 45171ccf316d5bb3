import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { ManualClock } from '../../core/util/clock.js';
import { silentLogger } from '../../core/util/logger.js';
import { HIDDEN_SWITCH } from '../../electron/background.js';
import { startDesktop, type Desktop, type DesktopOptions } from '../../electron/main.js';
import { trayTime } from '../../electron/tray.js';
import { AnthropicLoopback, tempDir, waitFor } from '../support/index.js';
import { createFakeElectron, type FakeElectron, type FakeTray } from './fake-electron.js';

const HOUR = 3_600_000;
const T0 = Date.parse('2026-03-02T08:00:00Z');

let dir: { path: string; cleanup(): void };
let appRoot: string;
let anthropic: AnthropicLoopback;
const started: Desktop[] = [];

beforeEach(async () => {
  dir = tempDir('agent-blob-tray-');
  appRoot = join(dir.path, 'app');
  mkdirSync(join(appRoot, 'dist', 'renderer'), { recursive: true });
  writeFileSync(join(appRoot, 'dist', 'renderer', 'desktop.html'), '<!doctype html><title>Agent Blob</title>');
  anthropic = await AnthropicLoopback.start();
});

afterEach(async () => {
  for (const desktop of started.splice(0)) await desktop.quit();
  await anthropic.close();
  dir.cleanup();
});

async function launch(fake: FakeElectron, clock: ManualClock, options: Partial<DesktopOptions> = {}): Promise<Desktop> {
  const desktop = await startDesktop(fake.api, {
    appRoot,
    dataDir: join(dir.path, 'data'),
    env: { ANTHROPIC_API_KEY: 'sk-ant-test-tray-000000', ANTHROPIC_BASE_URL: anthropic.url, XDG_CONFIG_HOME: join(dir.path, 'config') },
    platform: 'linux',
    core: { logger: silentLogger, timeZone: 'UTC', clock },
    traySupport: async () => 'yes',
    loginCommand: { execPath: '/opt/Agent Blob/agent-blob', args: [] },
    ...options,
  });
  assert.ok(desktop);
  started.push(desktop);
  return desktop;
}

function labels(tray: FakeTray): string[] {
  return tray.menu.map((i) => i.label ?? '—');
}

describe('schedules in the desktop app', () => {
  test('the tray lists the schedules with their next time and pauses and resumes them all', async () => {
    const fake = createFakeElectron();
    const clock = new ManualClock(T0);
    const desktop = await launch(fake, clock);
    const [tray] = fake.trays;
    const brief = await desktop.core.gateway.call('schedules.add', { name: 'Morning brief', prompt: 'Brief me.', spec: { kind: 'daily', time: '09:00' } });
    await desktop.core.gateway.call('schedules.add', { name: 'Inbox check', prompt: 'Check.', spec: { kind: 'interval', everySeconds: 7200 } });
    const briefLine = `Morning brief: ${trayTime(Date.parse(brief.nextRunAt!), T0)}`;
    await waitFor(() => labels(tray).includes(briefLine), 'the tray to list the schedule with its next time');
    assert.ok(labels(tray).includes(`Inbox check: ${trayTime(T0 + 2 * HOUR, T0)}`));
    assert.match(tray.tooltip, /2 schedules running in the background/);
    assert.ok(!labels(tray).includes('Resume all schedules'));

    tray.clickMenu('Pause all schedules');
    await waitFor(() => labels(tray).includes('Morning brief: paused') && labels(tray).includes('Inbox check: paused'), 'both paused in the tray');
    assert.deepEqual((await desktop.core.gateway.call('schedules.list', {})).schedules.map((s) => s.status), ['paused', 'paused']);
    assert.ok(!labels(tray).includes('Pause all schedules'));
    tray.clickMenu('Resume all schedules');
    await waitFor(() => labels(tray).includes(briefLine), 'resumed in the tray');
    assert.deepEqual((await desktop.core.gateway.call('schedules.list', {})).schedules.map((s) => s.status), ['active', 'active']);

    // A schedule line opens the window.
    const [win] = fake.windows();
    win.userClose();
    assert.equal(win.isVisible(), false);
    tray.clickMenu('Morning brief');
    assert.equal(win.isVisible(), true);
  });

  test('closing the window keeps schedules firing, says so once, and each run ends in a notification as the schedule asks', async () => {
    const fake = createFakeElectron();
    const clock = new ManualClock(T0);
    const desktop = await launch(fake, clock);
    const [tray] = fake.trays;
    const hourly = { kind: 'interval', everySeconds: 3600 } as const;
    const add = (name: string, prompt: string, notify?: { onSuccess: boolean; onFailure: boolean }) => desktop.core.gateway.call('schedules.add', { name, prompt, spec: hourly, ...(notify ? { notify } : {}) });
    const loud = await add('Hourly news', 'News, please.');
    const quiet = await add('Quiet tidy', 'Tidy up.', { onSuccess: false, onFailure: true });
    const watch = await add('Disk watch', 'Watch the disk.', { onSuccess: false, onFailure: true });
    const muted = await add('Muted probe', 'Probe quietly.', { onSuccess: false, onFailure: false });
    await waitFor(() => labels(tray).some((l) => l.startsWith('Muted probe')), 'the tray to know every schedule');

    const [win] = fake.windows();
    await waitFor(() => win.isVisible(), 'the window to show');
    win.userClose();
    assert.equal(win.isVisible(), false);
    assert.equal(fake.app.quitted, false);
    assert.equal(fake.notifications.length, 1, 'one notice that schedules keep running');
    assert.match(fake.notifications[0].title, /still running/);
    assert.match(fake.notifications[0].body, /4 schedules keep running while the window is closed/);
    win.show();
    win.userClose();
    assert.equal(fake.notifications.length, 1, 'said once');

    // News and tidy succeed; the disk watch and the probe fail (a request the API refuses, not retried).
    anthropic.respond((body) => (/Watch the disk|Probe quietly/.test(JSON.stringify(body)) ? { kind: 'error', status: 400, type: 'invalid_request_error', message: 'refused' } : { kind: 'stream', chunks: ['Done.'] }));
    clock.advance(HOUR);
    await waitFor(() => fake.notifications.some((n) => n.title === 'Hourly news finished'), 'the finished notification');
    await desktop.core.idle();
    const results = await Promise.all([loud, quiet, watch, muted].map(async (s) => (await desktop.core.gateway.call('schedules.get', { scheduleId: s.id })).lastResult));
    assert.deepEqual(results, ['ran', 'ran', 'failed', 'failed'], 'every schedule ran once, two of them failing');
    assert.deepEqual(
      fake.notifications.slice(1).map((n) => n.title).sort(),
      ['Disk watch failed', 'Hourly news finished'],
      'a success notice only where the schedule asked for one, a failure notice only where it asked for one: none for the quiet tidy, none for the muted probe',
    );
    // Clicking the notification opens the window.
    fake.notifications.find((n) => n.title === 'Hourly news finished')!.click();
    assert.equal(win.isVisible(), true);
  });

  test('a resume from sleep makes the scheduler look at once: the slots slept through are recorded without waiting for the heartbeat', async () => {
    const fake = createFakeElectron();
    const clock = new ManualClock(T0);
    const desktop = await launch(fake, clock);
    const s = await desktop.core.gateway.call('schedules.add', { name: 'Every ten minutes', prompt: 'Ping.', spec: { kind: 'interval', everySeconds: 600 } });
    // The machine sleeps 3 hours: the wall clock moves, no timer fires.
    anthropic.script({ kind: 'stream', chunks: ['Pong.'] });
    clock.jump(3 * HOUR);
    fake.systemResume();
    const history = await desktop.core.gateway.call('schedules.history', { scheduleId: s.id, limit: 100 });
    assert.equal(history.entries.filter((e) => e.status === 'missed').length, 17, 'every slot slept through is recorded missed at once');
    assert.equal(history.entries[0].slot, new Date(T0 + 3 * HOUR).toISOString());
    assert.notEqual(history.entries[0].status, 'missed', 'the slot due at the wake itself is on time and runs');
    await desktop.core.idle();
    assert.equal((await desktop.core.gateway.call('schedules.history', { scheduleId: s.id, limit: 1 })).entries[0].status, 'ran');
    const after = await desktop.core.gateway.call('schedules.get', { scheduleId: s.id });
    assert.equal(after.nextRunAt, new Date(T0 + 3 * HOUR + 600_000).toISOString());
  });

  test('start at login: a login item on macOS and Windows, an XDG autostart entry on Linux, both started hidden; off removes them', async () => {
    const clock = new ManualClock(T0);
    const mac = createFakeElectron();
    const desktop = await launch(mac, clock, { platform: 'darwin', dataDir: join(dir.path, 'mac') });
    assert.equal(mac.app.loginItems.length, 0, 'nothing is registered until the person asks');
    await desktop.core.gateway.call('settings.update', { startAtLogin: true });
    assert.deepEqual(mac.app.loginItems, [{ openAtLogin: true, openAsHidden: true, args: [HIDDEN_SWITCH] }]);
    await desktop.core.gateway.call('settings.update', { startAtLogin: false });
    assert.equal(mac.app.loginItems.at(-1)?.openAtLogin, false);
    await desktop.quit();

    const linux = createFakeElectron();
    const onLinux = await launch(linux, clock, { dataDir: join(dir.path, 'linux') });
    const entry = join(dir.path, 'config', 'autostart', 'agent-blob.desktop');
    await onLinux.core.gateway.call('settings.update', { startAtLogin: true });
    const text = readFileSync(entry, 'utf8');
    assert.match(text, /^\[Desktop Entry\]/);
    assert.match(text, /^Exec="\/opt\/Agent Blob\/agent-blob" --hidden$/m);
    assert.equal((await onLinux.core.gateway.call('settings.get', {})).desktop.startAtLogin, true);
    await onLinux.core.gateway.call('settings.update', { startAtLogin: false });
    assert.equal(existsSync(entry), false);
    await onLinux.quit();

    // Started at login: the tray only, no window, schedules running.
    const hidden = createFakeElectron();
    const atLogin = await launch(hidden, clock, { hidden: true, dataDir: join(dir.path, 'hidden') });
    assert.equal(hidden.windows().length, 0, 'no window opens');
    assert.equal(hidden.trays.length, 1);
    await atLogin.core.gateway.call('schedules.add', { name: 'x', prompt: 'y', spec: { kind: 'interval', everySeconds: 60 } });
    hidden.trays[0].clickMenu('Open');
    assert.equal(hidden.windows()[0]?.isVisible(), true, 'Open in the tray brings the window');
  });
});
