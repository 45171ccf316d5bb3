import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createCore, type Core, type CoreOptions, type NativeNotifier } from '../core/app.js';
import { dataPaths, defaultDataDir } from '../core/datadir/index.js';
import { startHostServer, type HostServer } from '../core/host/index.js';
import type { DesktopApi, TrayLike, WindowLike } from './api.js';
import { attachIpcTransport } from './ipc.js';
import { loadExtensionsFromUnpackedAsar, useSqliteAddon } from './native-modules.js';
import { createDesktopSecretStore } from './secrets.js';
import { hardenWebContents, installCsp, isSafeExternalUrl, isTrustedSender, pageUrl, secureWebPreferences } from './security.js';

export const PRODUCT_NAME = 'Agent Blob';
export const APP_ID = 'dev.agentblob.app';

export interface DesktopOptions {
  /** The app root (holds package.json, dist/, resources/); `app.getAppPath()` in the real app. */
  appRoot: string;
  /** Data folder; default: the shared per-OS folder (`AGENT_BLOB_DATA_DIR` wins). */
  dataDir?: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Extra core options (tests: logger, clock, providers). */
  core?: Partial<CoreOptions>;
  /** The loopback gateway the CLI talks to; tests may replace it. */
  startGateway?: (core: Core) => Promise<Pick<HostServer, 'url' | 'close'>>;
}

export interface Desktop {
  core: Core;
  tray: TrayLike;
  /** The main window, until the app quits. */
  window(): WindowLike | null;
  /** Where the CLI reaches this app, or null when the gateway could not start. */
  gatewayUrl: string | null;
  showWindow(): void;
  /** Shows how many permission requests wait (tray tooltip and badge); kept current from the log. */
  setPendingApprovals(count: number): void;
  notifier: NativeNotifier;
  /** Cancels runs, closes core and the gateway, then quits Electron. */
  quit(): Promise<void>;
}

/**
 * Starts the desktop app with the given Electron APIs (the real module, or a fake in tests).
 * Resolves to null when another instance already runs: that one is focused and this one quits.
 */
export async function startDesktop(api: DesktopApi, options: DesktopOptions): Promise<Desktop | null> {
  const { app } = api;
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  app.setName(PRODUCT_NAME);
  // The same folder the CLI and the headless host default to; the single-instance lock is per folder.
  app.setPath('userData', options.dataDir ?? defaultDataDir(env, platform));
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }

  let win: WindowLike | null = null;
  let quitting: Promise<void> | null = null;
  let closedForGood = false;
  // macOS emits `activate` at launch too, possibly before the window can be built.
  let uiReady = false;

  const showWindow = () => {
    if (!uiReady || quitting) return;
    if (!win || win.isDestroyed()) win = createWindow();
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };
  app.on('second-instance', showWindow);
  // macOS: clicking the dock icon brings the window back.
  app.on('activate', showWindow);
  // The window hides instead of closing, so this only fires on quit; keep running for the tray.
  app.on('window-all-closed', () => {});

  await app.whenReady();
  if (platform === 'win32') app.setAppUserModelId(APP_ID);
  installCsp(api.session.defaultSession);

  const notifier: NativeNotifier = {
    notify({ title, body }) {
      if (!api.Notification.isSupported()) return;
      const notification = new api.Notification({ title, body });
      // A notification is usually a question (a permission request): clicking it opens the window.
      notification.on('click', showWindow);
      notification.show();
    },
  };
  const dataDir = app.getPath('userData');
  const core = createCore({
    dataDir,
    owner: 'desktop',
    secrets: createDesktopSecretStore(api.safeStorage, dataPaths(dataDir).secrets, platform),
    notifier,
    env,
    ...options.core,
  });

  let gateway: Pick<HostServer, 'url' | 'close'> | null = null;
  try {
    gateway = await (options.startGateway ?? ((c: Core) => startHostServer({ core: c, rendererDir: null })))(core);
  } catch (err) {
    // The window works without it; only `agent-blob` commands cannot reach this app.
    core.logger.log('warn', 'the loopback gateway for the CLI did not start', { error: String(err) });
  }

  const rendererDir = join(options.appRoot, 'dist', 'renderer');
  const desktopPage = join(rendererDir, 'desktop.html');
  const page = existsSync(desktopPage) ? desktopPage : join(rendererDir, 'index.html');
  const appPageUrl = pageUrl(page);
  const openExternal = (url: string) => {
    if (isSafeExternalUrl(url)) void api.shell.openExternal(url);
  };

  const ipc = attachIpcTransport({
    ipcMain: api.ipcMain,
    gateway: core.gateway,
    logger: core.logger,
    isTrusted: (event) => isTrustedSender(event, appPageUrl, (contents) => !!win && !win.isDestroyed() && win.webContents === contents),
  });

  function createWindow(): WindowLike {
    const resources = join(options.appRoot, 'resources');
    const window = new api.BrowserWindow({
      width: 1100,
      height: 760,
      minWidth: 480,
      minHeight: 360,
      title: PRODUCT_NAME,
      show: false,
      backgroundColor: '#101216',
      icon: platform === 'linux' ? join(resources, 'icon.png') : undefined,
      autoHideMenuBar: true,
      webPreferences: secureWebPreferences(join(options.appRoot, 'dist', 'electron', 'preload.cjs')),
    });
    hardenWebContents(window.webContents, openExternal);
    window.on('close', (event) => {
      if (closedForGood) return;
      // Closing hides to the tray: schedules and background runs keep going.
      event.preventDefault();
      window.hide();
    });
    window.once('ready-to-show', () => window.show());
    if (!existsSync(page)) core.logger.log('error', 'the UI is not built; run `npm run build`', { page });
    window.loadFile(page).catch((err: unknown) => core.logger.log('error', 'loading the UI failed', { page, error: String(err) }));
    return window;
  }

  const trayImage = api.nativeImage.createFromPath(join(options.appRoot, 'resources', platform === 'darwin' ? 'trayTemplate.png' : 'tray.png'));
  if (platform === 'darwin') trayImage.setTemplateImage(true);
  const tray = new api.Tray(trayImage);
  tray.setToolTip(PRODUCT_NAME);
  tray.setContextMenu(
    api.Menu.buildFromTemplate([
      { label: `Open ${PRODUCT_NAME}`, click: showWindow },
      { type: 'separator' },
      { label: `Quit ${PRODUCT_NAME}`, click: () => void quit() },
    ]),
  );
  tray.on('click', showWindow);

  const setPendingApprovals = (count: number) => {
    tray.setToolTip(count > 0 ? `${PRODUCT_NAME}: ${count} approval${count === 1 ? '' : 's'} waiting` : PRODUCT_NAME);
    app.setBadgeCount(count);
  };
  // Permission requests waiting for a person show on the tray and the badge, also while hidden.
  let approvalsQueued = false;
  const refreshApprovals = () => {
    if (approvalsQueued || quitting) return;
    approvalsQueued = true;
    setImmediate(() => {
      approvalsQueued = false;
      if (quitting) return;
      core.gateway.call('permissions.pending', {}).then(
        ({ requests }) => setPendingApprovals(requests.length),
        (err: unknown) => core.logger.log('warn', 'counting pending approvals failed', { error: String(err) }),
      );
    });
  };
  const stopWatchingApprovals = core.log.subscribe(core.log.head(), (event) => {
    if (event.type === 'permission.requested' || event.type === 'permission.decided') refreshApprovals();
  });
  refreshApprovals();

  function quit(): Promise<void> {
    quitting ??= (async () => {
      try {
        stopWatchingApprovals();
        await gateway?.close();
        ipc.close();
        await core.close();
      } catch (err) {
        core.logger.log('error', 'closing core failed', { error: String(err) });
      } finally {
        closedForGood = true;
        tray.destroy();
        if (win && !win.isDestroyed()) win.destroy();
        win = null;
        app.quit();
      }
    })();
    return quitting;
  }
  // Cmd+Q, the OS logging out, `app.quit()` from anywhere: close core before Electron goes.
  app.on('before-quit', (event) => {
    if (closedForGood) return;
    event.preventDefault();
    void quit();
  });

  uiReady = true;
  showWindow();
  return {
    core,
    tray,
    window: () => win,
    gatewayUrl: gateway?.url ?? null,
    showWindow,
    setPendingApprovals,
    notifier,
    quit,
  };
}

/** The real entry: Electron runs this bundle as its main process. */
function runInElectron(electron: typeof Electron.CrossProcessExports): void {
  // Assigning the real module checks DesktopApi against Electron's own typings.
  const api: DesktopApi = electron;
  loadExtensionsFromUnpackedAsar();
  useSqliteAddon(process.env.AGENT_BLOB_SQLITE_ADDON);
  // Not awaited: startDesktop's steps before `ready` run synchronously right here.
  startDesktop(api, { appRoot: electron.app.getAppPath() }).catch((err: unknown) => {
    // Typically the data folder is held by a headless host; say so where the user is looking.
    const message = (err as Error)?.message ?? String(err);
    console.error(`Agent Blob could not start: ${message}`);
    electron.dialog.showErrorBox('Agent Blob could not start', message);
    electron.app.exit(1);
  });
}

if (process.versions.electron && process.type === 'browser') {
  // Awaiting the import is fine; awaiting `whenReady` here would hang for good, because Electron
  // emits `ready` only once the entry module has finished evaluating.
  runInElectron((await import('electron')).default);
}
