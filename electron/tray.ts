import { join } from 'node:path';
import type { DesktopApi, MenuItemTemplate, TrayLike } from './api.js';
import { PRODUCT_NAME } from './product.js';
import type { UpdateState } from './updates.js';

export interface AppTray {
  readonly tray: TrayLike;
  /** Permission requests waiting for a person: shown in the tooltip. */
  setPendingApprovals(count: number): void;
  /** An update downloading or ready: shown in the tooltip and the menu. */
  setUpdate(state: UpdateState): void;
  destroy(): void;
}

export interface AppTrayOptions {
  appRoot: string;
  platform: NodeJS.Platform;
  open(): void;
  quit(): void;
  /** Quits and installs the downloaded update. */
  installUpdate(): void;
}

/** The tray icon: its tooltip and menu are rebuilt from the app's state whenever that changes. */
export function createAppTray(api: DesktopApi, options: AppTrayOptions): AppTray {
  const image = api.nativeImage.createFromPath(join(options.appRoot, 'resources', options.platform === 'darwin' ? 'trayTemplate.png' : 'tray.png'));
  if (options.platform === 'darwin') image.setTemplateImage(true);
  const tray = new api.Tray(image);
  let approvals = 0;
  let update: UpdateState = { kind: 'idle' };

  const render = () => {
    const lines = [PRODUCT_NAME];
    if (approvals > 0) lines[0] = `${PRODUCT_NAME}: ${approvals} approval${approvals === 1 ? '' : 's'} waiting`;
    if (update.kind === 'downloading') lines.push(`Downloading update ${update.version}: ${Math.round(update.percent)}%`);
    if (update.kind === 'ready') lines.push(`Update ${update.version} installs when you quit`);
    tray.setToolTip(lines.join('\n'));
    const updateItems: MenuItemTemplate[] =
      update.kind === 'downloading'
        ? [{ label: `Downloading update ${update.version}… ${Math.round(update.percent)}%`, enabled: false }]
        : update.kind === 'ready'
          ? [{ label: `Restart to install update ${update.version}`, click: options.installUpdate }]
          : [];
    tray.setContextMenu(
      api.Menu.buildFromTemplate([
        { label: `Open ${PRODUCT_NAME}`, click: options.open },
        ...updateItems,
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
