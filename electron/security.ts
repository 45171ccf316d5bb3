import { isWebLink } from '../core/contract/bridge.js';
import type { DesktopApi, HeadersDetails, IpcMainEventLike, WebContentsLike, WindowOptions } from './api.js';

/**
 * The window's Content Security Policy. The desktop renderer talks to core only through the
 * preload's IPC bridge, so it needs no network at all: no `connect-src`, no remote scripts.
 */
export const DESKTOP_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'none'",
  "media-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The preferences every window gets (Electron security checklist). DevTools exist only when the app
 * runs from a checkout (`npm start`); the spell checker only when the person turned it on.
 */
export function secureWebPreferences(preload: string, options: { devTools: boolean; spellcheck: boolean }): WindowOptions['webPreferences'] {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: options.spellcheck,
    devTools: options.devTools,
  };
}

/**
 * Chromium switches that would open the window's pages to another local process (DevTools over a
 * port or a pipe). The fuses turn off Node's `--inspect`; these have no fuse, so an installed app
 * refuses to start with them.
 */
const DEBUGGING_SWITCHES = ['remote-debugging-port', 'remote-debugging-pipe', 'remote-debugging-address'];

/** The first debugging switch the app was started with, or null. */
export function debuggingSwitch(commandLine: { hasSwitch(name: string): boolean }): string | null {
  return DEBUGGING_SWITCHES.find((name) => commandLine.hasSwitch(name)) ?? null;
}

function stripQueryAndHash(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '';
  }
}

/**
 * Whether an IPC message comes from the top frame of one of our windows showing the app's page
 * (`app://agent-blob/desktop.html`). A frame that navigated elsewhere, an iframe, a `file://` page or
 * a destroyed frame is not trusted.
 */
export function isTrustedSender(event: IpcMainEventLike, appPageUrl: string, ours: (contents: WebContentsLike) => boolean): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  if (!ours(event.sender)) return false;
  return stripQueryAndHash(frame.url) === stripQueryAndHash(appPageUrl);
}

/** Only web links leave the app, and only to the system browser. */
export function isSafeExternalUrl(url: string): boolean {
  return isWebLink(url);
}

const PAGE_PERMISSIONS = new Set(['clipboard-sanitized-write']);

/** Adds the CSP to every response the window receives (the app:// handler and the page's meta tag set it too). */
export function installCsp(session: DesktopApi['session']['defaultSession']): void {
  session.webRequest.onHeadersReceived((details: HeadersDetails, callback) => {
    const headers = { ...(details.responseHeaders ?? {}) };
    for (const name of Object.keys(headers)) {
      if (name.toLowerCase() === 'content-security-policy') delete headers[name];
    }
    headers['Content-Security-Policy'] = [DESKTOP_CSP];
    callback({ responseHeaders: headers });
  });
  // The page needs no browser permission (camera, location, notifications: those come from the
  // main process) beyond writing to the clipboard for a copy button.
  session.setPermissionRequestHandler((_contents, permission, callback) => callback(PAGE_PERMISSIONS.has(permission)));
  session.setPermissionCheckHandler((_contents, permission) => PAGE_PERMISSIONS.has(permission));
}

/**
 * The window never leaves the app's page: navigation and webviews are refused, and `window.open`
 * is denied, with web links handed to the system browser.
 */
export function hardenWebContents(contents: WebContentsLike, openExternal: (url: string) => void): void {
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    if (isSafeExternalUrl(url)) openExternal(url);
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isSafeExternalUrl(url)) openExternal(url);
    return { action: 'deny' };
  });
}
