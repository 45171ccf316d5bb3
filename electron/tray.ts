import { join } from 'node:path';
import type { Schedule } from '../core/contract/index.js';
import type { DesktopApi, MenuItemTemplate, TrayLike } from './api.js';
import { PRODUCT_NAME } from './product.js';
import type { UpdateState } from './updates.js';

export interface AppTray {
  readonly tray: TrayLike;
  /** Permission requests waiting for a person: shown in the tooltip. */
  setPendingApprovals(count: number): void;
  /** An update downloading or ready: shown in the tooltip and the menu. */
  setUpdate(state: UpdateState): void;
  /** The schedules, shown in the menu with their next time. */
  setSchedules(schedules: readonly Schedule[]): void;
  /** Workers that have not ended: shown in the tooltip and the menu. */
  setActiveWorkers(count: number): void;
  destroy(): void;
}

/** Schedules listed one by one in the tray menu; the rest are counted. */
export const TRAY_SCHEDULES_SHOWN = 8;

/** A schedule's next time for the tray, in this computer's time: "Mon 09:00", or the date beyond a week. */
export function trayTime(ms: number, now: number): string {
  const within = ms - now < 6 * 86_400_000;
  return new Intl.DateTimeFormat(undefined, within ? { weekday: 'short', hour: '2-digit', minute: '2-digit' } : { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(ms);
}

function scheduleLine(s: Schedule, now: number): string {
  if (s.running) return `${s.name}: running now`;
  if (s.status === 'paused') return `${s.name}: paused`;
  if (s.status === 'done' || !s.nextRunAt) return `${s.name}: done`;
  return `${s.name}: ${trayTime(Date.parse(s.nextRunAt), now)}`;
}

export interface AppTrayOptions {
  appRoot: string;
  platform: NodeJS.Platform;
  open(): void;
  quit(): void;
  /** Quits and installs the downloaded update. */
  installUpdate(): void;
  pauseAllSchedules(): void;
  resumeAllSchedules(): void;
  /** The clock's now, for the schedules' next times. */
  now(): number;
}

/** The tray icon: its tooltip and menu are rebuilt from the app's state whenever that changes. */
export function createAppTray(api: DesktopApi, options: AppTrayOptions): AppTray {
  const image = api.nativeImage.createFromPath(join(options.appRoot, 'resources', options.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png'));
  if (options.platform === 'darwin') image.setTemplateImage(true);
  const tray = new api.Tray(image);
  let approvals = 0;
  let update: UpdateState = { kind: 'idle' };
  let schedules: readonly Schedule[] = [];
  let workers = 0;

  const render = () => {
    const lines = [PRODUCT_NAME];
    if (approvals > 0) lines[0] = `${PRODUCT_NAME}: ${approvals} approval${approvals === 1 ? '' : 's'} waiting`;
    if (workers > 0) lines.push(`${workers} worker${workers === 1 ? '' : 's'} active`);
    if (update.kind === 'downloading') lines.push(`Downloading update ${update.version}: ${Math.round(update.percent)}%`);
    if (update.kind === 'ready') lines.push(`Update ${update.version} installs when you quit`);
    const active = schedules.filter((s) => s.status === 'active').length;
    if (active > 0) lines.push(`${active} schedule${active === 1 ? '' : 's'} running in the background`);
    tray.setToolTip(lines.join('\n'));
    const updateItems: MenuItemTemplate[] =
      update.kind === 'downloading'
        ? [{ label: `Downloading update ${update.version}… ${Math.round(update.percent)}%`, enabled: false }]
        : update.kind === 'ready'
          ? [{ label: `Restart to install update ${update.version}`, click: options.installUpdate }]
          : [];
    const now = options.now();
    const scheduleItems: MenuItemTemplate[] = schedules.length
      ? [
          { type: 'separator' },
          { label: 'Schedules', enabled: false },
          ...schedules.slice(0, TRAY_SCHEDULES_SHOWN).map((s): MenuItemTemplate => ({ label: scheduleLine(s, now), click: options.open })),
          ...(schedules.length > TRAY_SCHEDULES_SHOWN ? [{ label: `…and ${schedules.length - TRAY_SCHEDULES_SHOWN} more`, click: options.open }] : []),
          ...(active > 0 ? [{ label: 'Pause all schedules', click: options.pauseAllSchedules }] : []),
          ...(schedules.some((s) => s.status === 'paused' && s.pausedReason === 'all') ? [{ label: 'Resume all schedules', click: options.resumeAllSchedules }] : []),
        ]
      : [];
    tray.setContextMenu(
      api.Menu.buildFromTemplate([
        { label: `Open ${PRODUCT_NAME}`, click: options.open },
        ...(workers > 0 ? [{ label: `${workers} worker${workers === 1 ? '' : 's'} active`, enabled: false }] : []),
        ...updateItems,
        ...scheduleItems,
        { type: 'separator' },
        { label: `Quit ${PRODUCT_NAME}`, click: options.quit },
      ]),
    );
  };
  tray.on('click', options.open);
  render();

  return {
    tray,
    setPendingApprovals(count) {
      approvals = count;
      render();
    },
    setUpdate(state) {
      update = state;
      render();
    },
    setSchedules(list) {
      schedules = list;
      render();
    },
    setActiveWorkers(count) {
      if (count === workers) return;
      workers = count;
      render();
    },
    destroy: () => tray.destroy(),
  };
}

/**
 * The window's menu: Quit (Ctrl+Q / Cmd+Q) is reachable even where no tray icon shows, editing
 * shortcuts work on macOS, and nothing links to Electron's site or opens DevTools in the installed app.
 */
export function appMenuTemplate(platform: NodeJS.Platform, packaged: boolean): MenuItemTemplate[] {
  const view: MenuItemTemplate[] = [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }];
  if (!packaged) view.push({ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' });
  return [
    ...(platform === 'darwin' ? [{ role: 'appMenu' } as const] : [{ role: 'fileMenu' } as const]),
    { role: 'editMenu' },
    { label: 'View', submenu: view },
    { role: 'windowMenu' },
  ];
}
