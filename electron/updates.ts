import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock, TimerHandle } from '../core/util/clock.js';
import type { Logger } from '../core/util/logger.js';

/**
 * The slice of electron-updater's `autoUpdater` the app uses; main.ts assigns the real one to it, so
 * tsc checks the shape, and tests drive a fake.
 */
export interface UpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  logger: { info(message?: unknown): void; warn(message?: unknown): void; error(message?: unknown): void } | null;
  on(event: 'update-available', listener: (info: { version: string }) => void): unknown;
  on(event: 'download-progress', listener: (progress: { percent: number }) => void): unknown;
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  checkForUpdates(): Promise<unknown>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
}

export type UpdateState =
  | { kind: 'idle' }
  | { kind: 'downloading'; version: string; percent: number }
  | { kind: 'ready'; version: string };

/** How often a running app looks for a new version (and once right after it starts). */
export const UPDATE_CHECK_INTERVAL_MS = 6 * 60 * 60 * 1000;

export interface UpdateWatcher {
  state(): UpdateState;
  stop(): void;
}

/**
 * Looks for updates at start and every few hours; a found update downloads in the background
 * (progress reported through `onState`) and is installed when the app quits (electron-updater's
 * `autoInstallOnAppQuit`), or at once when the person picks "Restart to update".
 */
export function watchUpdates(options: { updater: UpdaterLike; clock: Clock; logger: Logger; onState(state: UpdateState): void }): UpdateWatcher {
  const { updater, clock, logger } = options;
  let state: UpdateState = { kind: 'idle' };
  let stopped = false;
  let timer: TimerHandle | null = null;
  const set = (next: UpdateState) => {
    if (stopped) return;
    state = next;
    options.onState(next);
  };

  updater.autoDownload = true;
  updater.autoInstallOnAppQuit = true;
  updater.logger = {
    info: (message) => logger.log('info', 'updater', { message: String(message) }),
    warn: (message) => logger.log('warn', 'updater', { message: String(message) }),
    error: (message) => logger.log('error', 'updater', { message: String(message) }),
  };
  updater.on('update-available', (info) => {
    if (state.kind !== 'ready') set({ kind: 'downloading', version: info.version, percent: 0 });
  });
  updater.on('download-progress', (progress) => {
    if (state.kind === 'downloading') set({ ...state, percent: Math.max(0, Math.min(100, progress.percent)) });
  });
  updater.on('update-downloaded', (info) => set({ kind: 'ready', version: info.version }));
  updater.on('error', (error) => {
    // Offline, a feed that is down, a bad signature: the app keeps working; try again next time.
    logger.log('warn', 'checking for updates failed', { error: error.message });
    if (state.kind === 'downloading') set({ kind: 'idle' });
  });

  const check = () => {
    timer = null;
    if (stopped) return;
    if (state.kind !== 'ready') {
      updater.checkForUpdates().catch((err: unknown) => logger.log('warn', 'checking for updates failed', { error: String(err) }));
    }
    timer = clock.setTimeout(check, UPDATE_CHECK_INTERVAL_MS);
  };
  check();

  return {
    state: () => state,
    stop() {
      stopped = true;
      if (timer !== null) clock.clearTimeout(timer);
    },
  };
}

/**
 * electron-updater's autoUpdater, in an installed app whose build named an update feed
 * (electron-builder writes it to resources/app-update.yml); undefined under `npm start` or in a
 * build without a feed. Imported only here: it needs the real Electron.
 */
export async function loadElectronUpdater(packaged: boolean, resourcesPath: string): Promise<UpdaterLike | undefined> {
  if (!packaged || !existsSync(join(resourcesPath, 'app-update.yml'))) return undefined;
  const { default: electronUpdater } = await import('electron-updater');
  const updater: UpdaterLike = electronUpdater.autoUpdater;
  return updater;
}

/** Updates once the updater has loaded (it loads in the background; it may never). */
export interface PendingUpdates {
  /** Installs a downloaded update and quits; false when none is ready (the caller quits normally). */
  installNow(): boolean;
  stop(): void;
}

/**
 * Loads the updater in the background and watches for updates once it is there; a load that fails is
 * a warning (the app goes on without updating itself), one that finishes after `stop` does nothing.
 */
export function startUpdates(load: (() => Promise<UpdaterLike | undefined>) | undefined, options: { clock: Clock; logger: Logger; onState(state: UpdateState): void }): PendingUpdates {
  let stopped = false;
  let updater: UpdaterLike | undefined;
  let watcher: UpdateWatcher | null = null;
  load?.().then(
    (loaded) => {
      if (!loaded || stopped) return;
      updater = loaded;
      watcher = watchUpdates({ updater: loaded, ...options });
    },
    (err: unknown) => options.logger.log('warn', 'the updater did not load; this app will not update itself', { error: String(err) }),
  );
  return {
    installNow() {
      if (!updater || watcher?.state().kind !== 'ready') return false;
      updater.quitAndInstall(true, true);
      return true;
    },
    stop() {
      stopped = true;
      watcher?.stop();
    },
  };
}
