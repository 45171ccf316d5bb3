/**
 * The slice of Electron the desktop shell uses, and nothing more. The real `electron` module is
 * assigned to `DesktopApi` in main.ts, so tsc checks this shape against Electron's own typings;
 * tests pass a fake of exactly these members.
 */

export interface DesktopEvent {
  preventDefault(): void;
}

/** Images go from `nativeImage` to `Tray` untouched; a fake casts its own stand-in. */
export type ImageLike = import('electron').NativeImage;

export interface WebFrameLike {
  readonly url: string;
  readonly parent: WebFrameLike | null;
}

export interface WebContentsLike {
  readonly id: number;
  readonly mainFrame: WebFrameLike;
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void;
  on(event: 'will-navigate' | 'will-redirect', listener: (event: DesktopEvent, url: string) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: DesktopEvent) => void): unknown;
  on(event: 'did-start-loading' | 'destroyed', listener: () => void): unknown;
  on(event: 'render-process-gone', listener: (event: DesktopEvent, details: { reason: string }) => void): unknown;
}

export interface WindowOptions {
  width: number;
  height: number;
  minWidth: number;
  minHeight: number;
  title: string;
  show: boolean;
  backgroundColor: string;
  icon?: string;
  autoHideMenuBar: boolean;
  webPreferences: {
    preload: string;
    contextIsolation: boolean;
    sandbox: boolean;
    nodeIntegration: boolean;
    nodeIntegrationInWorker: boolean;
    nodeIntegrationInSubFrames: boolean;
    webSecurity: boolean;
    allowRunningInsecureContent: boolean;
    webviewTag: boolean;
    experimentalFeatures: boolean;
    navigateOnDragDrop: boolean;
    spellcheck: boolean;
    devTools: boolean;
  };
}

export interface WindowLike {
  readonly webContents: WebContentsLike;
  loadURL(url: string): Promise<void>;
  show(): void;
  hide(): void;
  focus(): void;
  restore(): void;
  isMinimized(): boolean;
  isVisible(): boolean;
  isDestroyed(): boolean;
  destroy(): void;
  /** -1 removes the bar; 0..1 shows progress on the taskbar or dock icon. */
  setProgressBar(progress: number): void;
  on(event: 'close', listener: (event: DesktopEvent) => void): unknown;
  /** Windows: the OS is shutting down, restarting or logging off; the process ends right after. */
  on(event: 'session-end', listener: () => void): unknown;
  once(event: 'ready-to-show', listener: () => void): unknown;
}

export interface MenuItemTemplate {
  label?: string;
  type?: 'normal' | 'separator';
  enabled?: boolean;
  accelerator?: string;
  role?: 'appMenu' | 'fileMenu' | 'editMenu' | 'windowMenu' | 'resetZoom' | 'zoomIn' | 'zoomOut' | 'togglefullscreen' | 'reload' | 'toggleDevTools' | 'quit';
  submenu?: MenuItemTemplate[];
  click?: () => void;
}

export interface MenuLike {
  readonly items: unknown[];
}

export interface TrayLike {
  setToolTip(text: string): void;
  setContextMenu(menu: MenuLike | null): void;
  on(event: 'click' | 'double-click', listener: () => void): unknown;
  destroy(): void;
}

export interface IpcMainEventLike {
  readonly sender: WebContentsLike;
  /** Null when the frame navigated away or was destroyed before the message was handled. */
  readonly senderFrame: WebFrameLike | null;
}

export interface NotificationLike {
  show(): void;
  on(event: 'click', listener: () => void): unknown;
}

export interface HeadersDetails {
  url: string;
  responseHeaders?: Record<string, string[]>;
}

/** A scheme the renderer may load from (Electron's CustomScheme, the privileges this app uses). */
export interface CustomSchemeLike {
  scheme: string;
  privileges: { standard: boolean; secure: boolean; supportFetchAPI: boolean };
}

export interface DesktopApi {
  app: {
    /** True when running from an installed app (electron-builder output), false under `npm start`. */
    readonly isPackaged: boolean;
    commandLine: { hasSwitch(name: string): boolean };
    requestSingleInstanceLock(): boolean;
    whenReady(): Promise<unknown>;
    getPath(name: 'userData'): string;
    setPath(name: 'userData', path: string): void;
    setName(name: string): void;
    setAppUserModelId(id: string): void;
    setBadgeCount(count?: number): boolean;
    /** macOS and Windows: start the app when the person logs in. */
    setLoginItemSettings(settings: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }): void;
    quit(): void;
    exit(exitCode?: number): void;
    on(event: 'second-instance' | 'activate' | 'window-all-closed', listener: () => void): unknown;
    on(event: 'before-quit', listener: (event: DesktopEvent) => void): unknown;
  };
  BrowserWindow: new (options: WindowOptions) => WindowLike;
  Tray: new (image: ImageLike) => TrayLike;
  Menu: { buildFromTemplate(template: MenuItemTemplate[]): MenuLike; setApplicationMenu(menu: MenuLike | null): void };
  nativeImage: { createFromPath(path: string): ImageLike };
  protocol: {
    /** Only before `ready`. */
    registerSchemesAsPrivileged(schemes: CustomSchemeLike[]): void;
    handle(scheme: string, handler: (request: Request) => Response | Promise<Response>): void;
  };
  powerMonitor: {
    /** Linux and macOS: the system is about to shut down; preventDefault delays it while the app quits. */
    on(event: 'shutdown', listener: (event?: DesktopEvent) => void): unknown;
    /** The machine woke from sleep: schedules are looked at again at once. */
    on(event: 'resume', listener: () => void): unknown;
  };
  ipcMain: {
    on(channel: string, listener: (event: IpcMainEventLike, ...args: unknown[]) => void): unknown;
    removeAllListeners(channel: string): unknown;
  };
  session: {
    defaultSession: {
      webRequest: {
        onHeadersReceived(listener: (details: HeadersDetails, callback: (response: { responseHeaders?: Record<string, string[]> }) => void) => void): void;
      };
      setPermissionRequestHandler(handler: ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null): void;
      setPermissionCheckHandler(handler: ((webContents: unknown, permission: string) => boolean) | null): void;
      setSpellCheckerEnabled(enable: boolean): void;
    };
  };
  Notification: { new (options: { title: string; body: string }): NotificationLike; isSupported(): boolean };
  safeStorage: {
    isEncryptionAvailable(): boolean;
    encryptString(plainText: string): Buffer;
    decryptString(encrypted: Buffer): string;
    getSelectedStorageBackend?(): string;
  };
  shell: { openExternal(url: string): Promise<void> };
}
