import { join } from 'node:path';
import { createCore, type Core, type CoreOptions, type NativeNotifier } from '../core/app.js';
import { dataPaths, defaultDataDir } from '../core/datadir/index.js';
import { startHostServer, type HostServer } from '../core/host/index.js';
import type { DesktopApi, WindowLike } from './api.js';
import { watchActiveWorkers, watchPendingApprovals } from './approvals.js';
import { followStartAtLogin, HIDDEN_SWITCH, keepsRunningNotice, watchSchedules } from './background.js';
import { attachIpcTransport } from './ipc.js';
import { detectTraySupport, NO_TRAY_NOTICE, type TraySupport } from './lifecycle.js';
import { applyDevelopmentOverrides, loadExtensionsFromUnpackedAsar } from './native-modules.js';
import { PRODUCT_NAME, APP_ID } from './product.js';
import { APP_PAGE_URL, APP_SCHEME, APP_SCHEMES, createAppProtocolHandler } from './protocol.js';
import { createDesktopSecretStore } from './secrets.js';
import { debuggingSwitch, installCsp, isSafeExternalUrl, isTrustedSender } from './security.js';
import { appMenuTemplate, createAppTray, type AppTray } from './tray.js';
import { loadElectronUpdater, startUpdates, type UpdaterLike, type UpdateState } from './updates.js';
import { createMainWindow } from './window.js';

export { PRODUCT_NAME, APP_ID } from './product.js';

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
  /** Loads electron-updater's autoUpdater (an installed app with an update feed); absent or undefined: no updates. */
  updater?: () => Promise<UpdaterLike | undefined>;
  /** Whether a tray icon can show (Linux asks the session bus); tests pass their answer. */
  traySupport?: () => Promise<TraySupport>;
  /** Started at login: the app stays in the tray without opening its window. */
  hidden?: boolean;
  /** What a login start runs (default: this Electron, with the app folder when not installed). */
  loginCommand?: { execPath: string; args: string[] };
}

export interface Desktop {
  core: Core;
  tray: AppTray;
  /** The main window, until the app quits. */
  window(): WindowLike | null;
  /** Where the CLI reaches this app, or null when the gateway could not start. */
  gatewayUrl: string | null;
  showWindow(): void;
  /** Shows how many permission requests wait (tray tooltip and badge); kept current from the log. */
  setPendingApprovals(count: number): void;
  notifier: NativeNotifier;
  /** Cancels runs, closes core and the gateway, then quits Electron (installing a downloaded update if asked). */
  quit(options?: { installUpdate?: boolean }): Promise<void>;
}

/**
 * Starts the desktop app with the given Electron APIs (the real module, or a fake in tests).
 * Resolves to null when another instance already runs: that one is focused and this one quits.
 */
export async function startDesktop(api: DesktopApi, options: DesktopOptions): Promise<Desktop | null> {
  const { app } = api;
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const debugging = app.isPackaged ? debuggingSwitch(app.commandLine) : null;
  if (debugging) throw new Error(`the installed app does not start with --${debugging}, which would let other programs control its window`);
  app.setName(PRODUCT_NAME);
  // The same folder the CLI and the headless host default to; the single-instance lock is per folder.
  app.setPath('userData', options.dataDir ?? defaultDataDir(env, platform));
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return null;
  }
  // Before `ready`, as Electron requires: the scheme the UI is served from.
  api.protocol.registerSchemesAsPrivileged(APP_SCHEMES);

  let win: WindowLike | null = null;
  let quitting: Promise<void> | null = null;
  let closedForGood = false;
  let traySupport: TraySupport = 'unknown';
  let toldHowToReopen = false;
  let activeSchedules = 0;
  // macOS emits `activate` at launch too, possibly before the window can be built.
  let uiReady = false;

  const showWindow = () => {
    if (!uiReady || quitting) return;
    if (!win || win.isDestroyed()) win = createWindow();
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };
  // A second launch (also the way back where no tray icon shows) brings the window up.
  app.on('second-instance', showWindow);
  // macOS: clicking the dock icon brings the window back.
  app.on('activate', showWindow);
  // The window hides instead of closing, so this only fires on quit; keep running for the tray.
  app.on('window-all-closed', () => {});

  await app.whenReady();
  if (platform === 'win32') app.setAppUserModelId(APP_ID);
  const session = api.session.defaultSession;
  installCsp(session);
  const rendererDir = join(options.appRoot, 'dist', 'renderer');
  api.protocol.handle(APP_SCHEME, createAppProtocolHandler(rendererDir));
  api.Menu.setApplicationMenu(api.Menu.buildFromTemplate(appMenuTemplate(platform, app.isPackaged)));

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
  // Off unless the person turned it on: on Windows and Linux the checker downloads dictionaries.
  const spellcheck = core.settings.get().desktop.spellcheck;
  session.setSpellCheckerEnabled(spellcheck);
  const stopWatchingSettings = core.settings.onChange(() => session.setSpellCheckerEnabled(core.settings.get().desktop.spellcheck));

  let gateway: Pick<HostServer, 'url' | 'close'> | null = null;
  try {
    gateway = await (options.startGateway ?? ((c: Core) => startHostServer({ core: c, rendererDir: null })))(core);
  } catch (err) {
    // The window works without it; only `agent-blob` commands cannot reach this app.
    core.logger.log('warn', 'the loopback gateway for the CLI did not start', { error: String(err) });
  }

  const openExternal = (url: string) => {
    if (isSafeExternalUrl(url)) void api.shell.openExternal(url);
  };
  const ipc = attachIpcTransport({
    ipcMain: api.ipcMain,
    gateway: core.gateway,
    logger: core.logger,
    isTrusted: (event) => isTrustedSender(event, APP_PAGE_URL, (contents) => !!win && !win.isDestroyed() && win.webContents === contents),
    openExternal,
  });

  function createWindow(): WindowLike {
    return createMainWindow(api, {
      appRoot: options.appRoot,
      platform,
      devTools: !app.isPackaged,
      spellcheck,
      logger: core.logger,
      openExternal,
      hideOnClose: () => {
        if (closedForGood) return false;
        // Closing hides the window: schedules and background runs keep going; say once how to get it back.
        if (!toldHowToReopen) {
          if (traySupport !== 'yes') notifier.notify(NO_TRAY_NOTICE);
          else if (activeSchedules > 0) notifier.notify(keepsRunningNotice(activeSchedules));
          toldHowToReopen = traySupport !== 'yes' || activeSchedules > 0;
        }
        return true;
      },
      // Windows ends the process right after this event: close core at once, synchronously.
      onSessionEnd: closeForSessionEnd,
    });
  }

  const tray = createAppTray(api, {
    appRoot: options.appRoot,
    platform,
    open: showWindow,
    quit: () => void quit(),
    installUpdate: () => void quit({ installUpdate: true }),
    pauseAllSchedules: () => void core.gateway.call('schedules.pauseAll', {}),
    resumeAllSchedules: () => void core.gateway.call('schedules.resumeAll', {}),
    now: () => core.clock.now(),
  });
  // The tray lists the schedules with their next times; closing the window says once that they keep running.
  const stopWatchingSchedules = watchSchedules(core, (schedules) => {
    activeSchedules = schedules.filter((s) => s.status === 'active').length;
    tray.setSchedules(schedules);
  });
  // After a sleep the scheduler looks at every schedule at once instead of at its next heartbeat.
  api.powerMonitor.on('resume', () => core.wakeSchedules());
  const stopWatchingLogin = followStartAtLogin(api, core, { platform, env, ...(options.loginCommand ?? { execPath: process.execPath, args: app.isPackaged ? [] : [options.appRoot] }) });
  void (options.traySupport ?? (() => detectTraySupport(platform)))().then((support) => {
    traySupport = support;
    if (support === 'no') core.logger.log('info', 'no tray icon can show on this desktop; closing the window keeps the app running', {});
  });

  const setPendingApprovals = (count: number) => {
    tray.setPendingApprovals(count);
    app.setBadgeCount(count);
  };
  // Permission requests waiting for a person show on the tray and the badge, also while hidden.
  const stopWatchingApprovals = watchPendingApprovals(core, setPendingApprovals);
  const stopWatchingWorkers = watchActiveWorkers(core, (count) => tray.setActiveWorkers(count));

  const showUpdate = (state: UpdateState) => {
    tray.setUpdate(state);
    // The download shows on the taskbar / dock icon; -1 removes the bar.
    if (win && !win.isDestroyed()) win.setProgressBar(state.kind === 'downloading' ? state.percent / 100 : -1);
    if (state.kind === 'ready') notifier.notify({ title: `${PRODUCT_NAME} ${state.version} is ready`, body: `It installs when you quit ${PRODUCT_NAME}, or now with "Restart to install update" in the tray menu.` });
  };
  const updates = startUpdates(options.updater, { clock: core.clock, logger: core.logger, onState: showUpdate });

  const release = () => {
    updates.stop();
    stopWatchingApprovals();
    stopWatchingWorkers();
    stopWatchingSettings();
    stopWatchingSchedules();
    stopWatchingLogin();
  };

  function quit(quitOptions: { installUpdate?: boolean } = {}): Promise<void> {
    quitting ??= (async () => {
      try {
        release();
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
        // Installing quits too; otherwise a downloaded update installs on this quit by itself.
        if (!(quitOptions.installUpdate && updates.installNow())) app.quit();
      }
    })();
    return quitting;
  }

  function closeForSessionEnd(): void {
    if (closedForGood) return;
    closedForGood = true;
    release();
    try {
      ipc.close();
      core.closeNow();
    } catch (err) {
      core.logger.log('error', 'closing core at session end failed', { error: String(err) });
    }
    void gateway?.close();
    tray.destroy();
    app.exit(0);
  }

  // Cmd+Q, the OS logging out, `app.quit()` from anywhere: close core before Electron goes.
  app.on('before-quit', (event) => {
    if (closedForGood) return;
    event.preventDefault();
    void quit();
  });
  // Linux and macOS shutdown: hold it off (logind inhibitor) while core closes.
  api.powerMonitor.on('shutdown', (event) => {
    if (closedForGood) return;
    event?.preventDefault();
    void quit();
  });

  uiReady = true;
  if (!options.hidden) showWindow();
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
  const { app } = electron;
  loadExtensionsFromUnpackedAsar();
  applyDevelopmentOverrides(app.isPackaged, process.env);
  const fail = (err: unknown) => {
    // Typically the data folder is held by a headless host; say so where the user is looking.
    const message = (err as Error)?.message ?? String(err);
    console.error(`Agent Blob could not start: ${message}`);
    electron.dialog.showErrorBox('Agent Blob could not start', message);
    app.exit(1);
  };
  // Not awaited: startDesktop's steps before `ready` run synchronously right here.
  startDesktop(api, { appRoot: app.getAppPath(), hidden: process.argv.includes(HIDDEN_SWITCH), updater: () => loadElectronUpdater(app.isPackaged, process.resourcesPath) }).catch(fail);
}

if (process.versions.electron && process.type === 'browser') {
  // Awaiting the import is fine; awaiting `whenReady` here would hang for good, because Electron
  // emits `ready` only once the entry module has finished evaluating.
  runInElectron((await import('electron')).default);
}
