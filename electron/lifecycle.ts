import { execFile } from 'node:child_process';
import { PRODUCT_NAME } from './product.js';

/** Whether a tray icon will be visible: 'unknown' where the desktop cannot be asked. */
export type TraySupport = 'yes' | 'no' | 'unknown';

export type RunCommand = (file: string, args: string[]) => Promise<{ ok: boolean; stdout: string }>;

const runCommand: RunCommand = (file, args) =>
  new Promise((done) => {
    execFile(file, args, { timeout: 2000, encoding: 'utf8' }, (error, stdout) => done({ ok: !error, stdout: String(stdout ?? '') }));
  });

const WATCHER = 'org.kde.StatusNotifierWatcher';

/**
 * Linux desktops show tray icons through a StatusNotifierWatcher on the session bus (KDE, Cinnamon,
 * XFCE, Ubuntu's GNOME with its AppIndicator extension). Plain GNOME has none, and an icon there
 * never appears. Asks the bus whether the watcher is running (gdbus, else dbus-send).
 */
export async function detectTraySupport(platform: NodeJS.Platform, run: RunCommand = runCommand): Promise<TraySupport> {
  if (platform !== 'linux') return 'yes';
  const gdbus = await run('gdbus', [
    'call',
    '--session',
    '--dest',
    'org.freedesktop.DBus',
    '--object-path',
    '/org/freedesktop/DBus',
    '--method',
    'org.freedesktop.DBus.NameHasOwner',
    WATCHER,
  ]);
  if (gdbus.ok) return parseBoolean(gdbus.stdout);
  const dbusSend = await run('dbus-send', [
    '--session',
    '--print-reply',
    '--dest=org.freedesktop.DBus',
    '/org/freedesktop/DBus',
    'org.freedesktop.DBus.NameHasOwner',
    `string:${WATCHER}`,
  ]);
  if (dbusSend.ok) return parseBoolean(dbusSend.stdout);
  return 'unknown';
}

function parseBoolean(reply: string): TraySupport {
  if (/\btrue\b/.test(reply)) return 'yes';
  if (/\bfalse\b/.test(reply)) return 'no';
  return 'unknown';
}

/** What the person is told the first time the window closes where no tray icon can show. */
export const NO_TRAY_NOTICE = {
  title: `${PRODUCT_NAME} is still running`,
  body: `Schedules and background work continue. To open the window again, start ${PRODUCT_NAME} again from your applications; to quit, press Ctrl+Q in the window.`,
};
