import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../core/util/logger.js';
import type { DesktopApi, DesktopEvent, WindowLike } from './api.js';
import { PRODUCT_NAME } from './product.js';
import { APP_PAGE_URL } from './protocol.js';
import { hardenWebContents, secureWebPreferences } from './security.js';

export interface MainWindowOptions {
  appRoot: string;
  platform: NodeJS.Platform;
  /** Developer tools only outside the installed app. */
  devTools: boolean;
  spellcheck: boolean;
  logger: Logger;
  openExternal(url: string): void;
  /** The window is closing: return true to hide it instead (the app keeps running). */
  hideOnClose(): boolean;
  /** The OS ends the session (Windows ends the process right after this). */
  onSessionEnd(): void;
}

/** The one app window: locked-down web preferences, the app page, shown once it has painted. */
export function createMainWindow(api: Pick<DesktopApi, 'BrowserWindow'>, options: MainWindowOptions): WindowLike {
  const window = new api.BrowserWindow({
    width: 1100,
    height: 760,
    minWidth: 400,
    minHeight: 360,
    title: PRODUCT_NAME,
    show: false,
    backgroundColor: '#101216',
    icon: options.platform === 'linux' ? join(options.appRoot, 'resources', 'icon.png') : undefined,
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(join(options.appRoot, 'dist', 'electron', 'preload.cjs'), { devTools: options.devTools, spellcheck: options.spellcheck }),
  });
  hardenWebContents(window.webContents, options.openExternal);
  window.on('close', (event: DesktopEvent) => {
    if (!options.hideOnClose()) return;
    event.preventDefault();
    window.hide();
  });
  window.on('session-end', options.onSessionEnd);
  window.once('ready-to-show', () => window.show());
  const rendererDir = join(options.appRoot, 'dist', 'renderer');
  if (!existsSync(join(rendererDir, 'desktop.html'))) options.logger.log('error', 'the UI is not built; run `npm run build`', { rendererDir });
  window.loadURL(APP_PAGE_URL).catch((err: unknown) => options.logger.log('error', 'loading the UI failed', { url: APP_PAGE_URL, error: String(err) }));
  return window;
}
