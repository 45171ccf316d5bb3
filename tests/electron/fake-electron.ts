import type {
  CustomSchemeLike,
  DesktopApi,
  DesktopEvent,
  HeadersDetails,
  ImageLike,
  IpcMainEventLike,
  MenuItemTemplate,
  WebContentsLike,
  WebFrameLike,
  WindowOptions,
} from '../../electron/api.js';

/**
 * A fake of exactly the Electron APIs the desktop shell uses (electron/api.ts), recording what the
 * shell does with them. It mimics the behaviours the shell relies on: `close` can be prevented,
 * `app.quit()` emits a preventable `before-quit`, and the single-instance lock is shared between
 * fakes of one `FakeOs` so a second launch reaches the first.
 */

type Listener = (...args: never[]) => unknown;

class Emitter {
  private listeners = new Map<string, { fn: Listener; once: boolean }[]>();
  on(event: string, fn: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), { fn, once: false }]);
    return this;
  }
  once(event: string, fn: Listener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), { fn, once: true }]);
    return this;
  }
  emit(event: string, ...args: unknown[]): void {
    const list = this.listeners.get(event) ?? [];
    this.listeners.set(event, list.filter((l) => !l.once));
    for (const l of list) (l.fn as (...a: unknown[]) => unknown)(...args);
  }
  listenerCount(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }
}

export class FakeEvent implements DesktopEvent {
  defaultPrevented = false;
  preventDefault(): void {
    this.defaultPrevented = true;
  }
}

export class FakeFrame implements WebFrameLike {
  constructor(
    public url: string,
    public parent: FakeFrame | null = null,
  ) {}
}

let nextContentsId = 1;

export class FakeWebContents extends Emitter implements WebContentsLike {
  readonly id = nextContentsId++;
  readonly mainFrame = new FakeFrame('about:blank');
  readonly sent: { channel: string; args: unknown[] }[] = [];
  windowOpenHandler: ((details: { url: string }) => { action: 'deny' } | { action: 'allow' }) | null = null;
  /** Where sent messages go besides `sent` (a test forwarding them to a real page). */
  onSend: ((channel: string, args: unknown[]) => void) | null = null;
  private destroyed = false;

  send(channel: string, ...args: unknown[]): void {
    if (this.destroyed) throw new Error('Object has been destroyed');
    this.sent.push({ channel, args });
    this.onSend?.(channel, args);
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' } | { action: 'allow' }): void {
    this.windowOpenHandler = handler;
  }
  /** The page tries to navigate (a link, `location = ...`): returns whether the shell prevented it. */
  tryNavigate(url: string, event: 'will-navigate' | 'will-redirect' = 'will-navigate'): boolean {
    const e = new FakeEvent();
    this.emit(event, e, url);
    if (!e.defaultPrevented) this.mainFrame.url = url;
    return e.defaultPrevented;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.emit('destroyed');
  }
}

export class FakeWindow extends Emitter {
  readonly webContents = new FakeWebContents();
  loadedUrl: string | null = null;
  /** The taskbar / dock progress: -1 when none shows. */
  progress = -1;
  visible = false;
  focused = false;
  minimized = false;
  private destroyed = false;

  constructor(readonly options: WindowOptions) {
    super();
  }
  async loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
    this.webContents.emit('did-start-loading');
    this.webContents.mainFrame.url = url;
    queueMicrotask(() => this.emit('ready-to-show'));
  }
  setProgressBar(progress: number): void {
    this.progress = progress;
  }
  show(): void {
    this.visible = true;
  }
  hide(): void {
    this.visible = false;
    this.focused = false;
  }
  focus(): void {
    this.focused = true;
  }
  restore(): void {
    this.minimized = false;
  }
  isMinimized(): boolean {
    return this.minimized;
  }
  isVisible(): boolean {
    return this.visible;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.visible = false;
    this.webContents.destroy();
  }
  /** The user clicks the window's close button. */
  userClose(): void {
    const e = new FakeEvent();
    this.emit('close', e);
    if (!e.defaultPrevented) this.destroy();
  }
}

export class FakeTray extends Emitter {
  tooltip = '';
  menu: MenuItemTemplate[] = [];
  destroyed = false;
  constructor(readonly image: FakeImage) {
    super();
  }
  setToolTip(text: string): void {
    this.tooltip = text;
  }
  setContextMenu(menu: { items: unknown[] } | null): void {
    this.menu = (menu?.items ?? []) as MenuItemTemplate[];
  }
  destroy(): void {
    this.destroyed = true;
  }
  /** The user picks a context-menu entry whose label contains `label`. */
  clickMenu(label: string): void {
    const item = this.menu.find((i) => i.label?.includes(label));
    if (!item?.click) throw new Error(`no tray menu item "${label}" (have: ${this.menu.map((i) => i.label ?? '-').join(', ')})`);
    item.click();
  }
}

export interface FakeImage {
  path: string;
  template: boolean;
}

/** What one machine shares between app instances: the single-instance lock. */
export class FakeOs {
  lockHolder: FakeApp | null = null;
}

export class FakeApp extends Emitter {
  readonly paths = new Map<string, string>();
  /** An installed app (true) or `npm start` (false). */
  isPackaged = false;
  /** Chromium switches the app was started with. */
  readonly switches = new Set<string>();
  readonly commandLine = { hasSwitch: (name: string) => this.switches.has(name) };
  /** Whether `ready` was emitted (whenReady resolved); privileged schemes must come before. */
  ready = false;
  name = 'Electron';
  badge = 0;
  quitRequests = 0;
  quitted = false;
  exitCode: number | null = null;
  appUserModelId: string | null = null;

  constructor(private readonly os: FakeOs) {
    super();
  }
  requestSingleInstanceLock(): boolean {
    if (this.os.lockHolder && this.os.lockHolder !== this && !this.os.lockHolder.quitted) {
      this.os.lockHolder.emit('second-instance');
      return false;
    }
    this.os.lockHolder = this;
    return true;
  }
  whenReady(): Promise<void> {
    this.ready = true;
    return Promise.resolve();
  }
  getPath(name: string): string {
    const path = this.paths.get(name);
    if (!path) throw new Error(`no path ${name}`);
    return path;
  }
  setPath(name: string, path: string): void {
    this.paths.set(name, path);
  }
  setName(name: string): void {
    this.name = name;
  }
  setAppUserModelId(id: string): void {
    this.appUserModelId = id;
  }
  /** Every login-item change (macOS, Windows), in order. */
  readonly loginItems: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }[] = [];
  setLoginItemSettings(settings: { openAtLogin: boolean; openAsHidden?: boolean; args?: string[] }): void {
    this.loginItems.push(settings);
  }
  setBadgeCount(count = 0): boolean {
    this.badge = count;
    return true;
  }
  /** Like Electron: emits a preventable `before-quit`; quits unless a listener prevented it. */
  quit(): void {
    this.quitRequests++;
    const e = new FakeEvent();
    this.emit('before-quit', e);
    if (!e.defaultPrevented) this.quitted = true;
  }
  exit(code = 0): void {
    this.exitCode = code;
    this.quitted = true;
  }
}

export class FakeIpcMain extends Emitter {
  removeAllListeners(channel: string): this {
    // Emitter keeps listeners private; replace them with none.
    (this as unknown as { listeners: Map<string, unknown[]> }).listeners.delete(channel);
    return this;
  }
  /** A renderer sends on `channel` from `frame` of `sender`. */
  receive(channel: string, sender: FakeWebContents, frame: FakeFrame | null, ...args: unknown[]): void {
    const event: IpcMainEventLike = { sender, senderFrame: frame };
    this.emit(channel, event, ...args);
  }
}

export interface FakeElectron {
  api: DesktopApi;
  app: FakeApp;
  /** Schemes registered as privileged, and whether that happened before `ready`. */
  privilegedSchemes: { schemes: CustomSchemeLike[]; beforeReady: boolean }[];
  /** The handler registered for a scheme with `protocol.handle`. */
  protocolHandler(scheme: string): ((request: Request) => Response | Promise<Response>) | null;
  /** Every value passed to `session.setSpellCheckerEnabled`, in order. */
  spellChecker: boolean[];
  /** The application menu's template, once set. */
  appMenu(): MenuItemTemplate[] | null;
  /** The system is shutting down (Linux/macOS `powerMonitor` 'shutdown'): returns whether the app asked to delay it. */
  systemShutdown(): boolean;
  /** The machine wakes from sleep (`powerMonitor` 'resume'). */
  systemResume(): void;
  ipcMain: FakeIpcMain;
  trays: FakeTray[];
  /** Shown notifications; `click()` is the user clicking one. */
  notifications: { title: string; body: string; click(): void }[];
  opened: string[];
  headerListener(): ((details: HeadersDetails, callback: (response: { responseHeaders?: Record<string, string[]> }) => void) => void) | null;
  permissionHandler(): ((webContents: unknown, permission: string, callback: (granted: boolean) => void) => void) | null;
  permissionCheck(): ((webContents: unknown, permission: string) => boolean) | null;
  windows(): FakeWindow[];
}

export function createFakeElectron(options: { os?: FakeOs; encryption?: boolean; backend?: string } = {}): FakeElectron {
  const app = new FakeApp(options.os ?? new FakeOs());
  const ipcMain = new FakeIpcMain();
  const trays: FakeTray[] = [];
  const windows: FakeWindow[] = [];
  const notifications: FakeElectron['notifications'] = [];
  const opened: string[] = [];
  let headerListener: ReturnType<FakeElectron['headerListener']> = null;
  let permissionHandler: ReturnType<FakeElectron['permissionHandler']> = null;
  let permissionCheck: ReturnType<FakeElectron['permissionCheck']> = null;
  const privilegedSchemes: FakeElectron['privilegedSchemes'] = [];
  const protocolHandlers = new Map<string, (request: Request) => Response | Promise<Response>>();
  const spellChecker: boolean[] = [];
  let appMenu: MenuItemTemplate[] | null = null;
  const powerMonitor = new Emitter();

  class Window extends FakeWindow {
    constructor(o: WindowOptions) {
      super(o);
      windows.push(this);
    }
  }
  class Tray extends FakeTray {
    constructor(image: ImageLike) {
      super(image as unknown as FakeImage);
      trays.push(this);
    }
  }
  class Notification {
    static isSupported = () => true;
    private readonly clicks: (() => void)[] = [];
    constructor(private readonly o: { title: string; body: string }) {}
    on(_event: 'click', listener: () => void) {
      this.clicks.push(listener);
      return this;
    }
    show() {
      notifications.push({ ...this.o, click: () => this.clicks.forEach((l) => l()) });
    }
  }

  const api: DesktopApi = {
    app,
    BrowserWindow: Window,
    Tray,
    Menu: {
      buildFromTemplate: (template: MenuItemTemplate[]) => ({ items: template }),
      setApplicationMenu: (menu) => {
        appMenu = (menu?.items ?? null) as MenuItemTemplate[] | null;
      },
    },
    protocol: {
      registerSchemesAsPrivileged: (schemes) => {
        privilegedSchemes.push({ schemes, beforeReady: !app.ready });
      },
      handle: (scheme, handler) => {
        protocolHandlers.set(scheme, handler);
      },
    },
    powerMonitor,
    nativeImage: {
      createFromPath: (path: string) => {
        const image: FakeImage & { isEmpty(): boolean; setTemplateImage(t: boolean): void } = {
          path,
          template: false,
          isEmpty: () => false,
          setTemplateImage(t: boolean) {
            image.template = t;
          },
        };
        return image as unknown as ImageLike;
      },
    },
    ipcMain,
    session: {
      defaultSession: {
        webRequest: {
          onHeadersReceived: (listener) => {
            headerListener = listener;
          },
        },
        setPermissionRequestHandler: (handler) => {
          permissionHandler = handler;
        },
        setPermissionCheckHandler: (handler) => {
          permissionCheck = handler;
        },
        setSpellCheckerEnabled: (enable) => {
          spellChecker.push(enable);
        },
      },
    },
    Notification,
    safeStorage: {
      isEncryptionAvailable: () => options.encryption ?? true,
      // Not real encryption: a reversible marker, so a test can tell ciphertext from plain text.
      encryptString: (text: string) => Buffer.from(`enc:${[...text].reverse().join('')}`),
      decryptString: (data: Buffer) => {
        const text = data.toString();
        if (!text.startsWith('enc:')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
        return [...text.slice(4)].reverse().join('');
      },
      getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret',
    },
    shell: {
      openExternal: async (url: string) => {
        opened.push(url);
      },
    },
  };
  return {
    api,
    app,
    privilegedSchemes,
    protocolHandler: (scheme) => protocolHandlers.get(scheme) ?? null,
    spellChecker,
    appMenu: () => appMenu,
    systemShutdown: () => {
      const e = new FakeEvent();
      powerMonitor.emit('shutdown', e);
      return e.defaultPrevented;
    },
    systemResume: () => powerMonitor.emit('resume'),
    ipcMain,
    trays,
    notifications,
    opened,
    headerListener: () => headerListener,
    permissionHandler: () => permissionHandler,
    permissionCheck: () => permissionCheck,
    windows: () => windows,
  };
}
