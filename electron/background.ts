import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Core } from '../core/app.js';
import type { Schedule } from '../core/contract/index.js';
import type { DesktopApi } from './api.js';
import { PRODUCT_NAME } from './product.js';

/** The switch a login start passes: the app starts in the tray, without a window. */
export const HIDDEN_SWITCH = '--hidden';

/**
 * Keeps the tray's list of schedules current: loads them at once and again after every change to a
 * schedule or to the status of one of its runs (batched per tick). Returns the stop.
 */
export function watchSchedules(core: Core, onSchedules: (schedules: Schedule[]) => void): () => void {
  let queued = false;
  let stopped = false;
  const scheduleRuns = new Set<string>();
  const refresh = () => {
    if (queued || stopped) return;
    queued = true;
    setImmediate(() => {
      queued = false;
      if (stopped) return;
      core.gateway.call('schedules.list', {}).then(
        ({ schedules }) => {
          if (!stopped) onSchedules(schedules);
        },
        (err: unknown) => core.logger.log('warn', 'listing schedules for the tray failed', { error: String(err) }),
      );
    });
  };
  const unsubscribe = core.log.subscribe(core.log.head(), (event) => {
    if (event.type === 'schedule.fired' && event.runId) scheduleRuns.add(event.runId);
    if (event.type.startsWith('schedule.') || (event.type === 'run.status' && event.runId !== null && scheduleRuns.has(event.runId))) refresh();
  });
  refresh();
  return () => {
    stopped = true;
    unsubscribe();
  };
}

/** What the person is told the first time the window closes while schedules are active and the tray shows. */
export function keepsRunningNotice(active: number): { title: string; body: string } {
  return {
    title: `${PRODUCT_NAME} is still running`,
    body: `${active} schedule${active === 1 ? '' : 's'} keep${active === 1 ? 's' : ''} running while the window is closed. Open or quit ${PRODUCT_NAME} from its tray icon.`,
  };
}

/**
 * Starts the app at login, hidden in the tray, or stops doing so. macOS and Windows register a login
 * item; Linux desktops read an XDG autostart entry (`~/.config/autostart`).
 */
export function applyStartAtLogin(api: DesktopApi, options: { enabled: boolean; platform: NodeJS.Platform; env: NodeJS.ProcessEnv; execPath: string; appArgs: string[] }): void {
  const { enabled, platform } = options;
  if (platform === 'darwin' || platform === 'win32') {
    api.app.setLoginItemSettings({ openAtLogin: enabled, openAsHidden: enabled, args: [...options.appArgs, HIDDEN_SWITCH] });
    return;
  }
  const folder = join(options.env.XDG_CONFIG_HOME || join(options.env.HOME || homedir(), '.config'), 'autostart');
  const file = join(folder, 'agent-blob.desktop');
  if (!enabled) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(folder, { recursive: true });
  const exec = [options.execPath, ...options.appArgs, HIDDEN_SWITCH].map((part) => (/[\s"'\\$`]/.test(part) ? `"${part.replace(/(["\\$`])/g, '\\$1')}"` : part)).join(' ');
  writeFileSync(file, ['[Desktop Entry]', 'Type=Application', `Name=${PRODUCT_NAME}`, `Exec=${exec}`, 'X-GNOME-Autostart-enabled=true', 'NoDisplay=false', ''].join('\n'));
}

/**
 * Keeps the login item in step with the `desktop.startAtLogin` setting: applied now and whenever it
 * changes; a failure is a warning in the log. Returns the stop.
 */
export function followStartAtLogin(api: DesktopApi, core: Pick<Core, 'settings' | 'logger'>, options: { platform: NodeJS.Platform; env: NodeJS.ProcessEnv; execPath: string; args: string[] }): () => void {
  let applied = false;
  const apply = () => {
    const wanted = core.settings.get().desktop.startAtLogin;
    if (wanted === applied) return;
    applied = wanted;
    try {
      applyStartAtLogin(api, { enabled: wanted, platform: options.platform, env: options.env, execPath: options.execPath, appArgs: options.args });
    } catch (err) {
      core.logger.log('warn', 'start at login could not be changed', { enabled: wanted, error: String(err) });
    }
  };
  apply();
  return core.settings.onChange(apply);
}
