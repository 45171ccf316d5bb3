import { pathToFileURL } from 'node:url';
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

/** The preferences every window gets (Electron security checklist). */
export function secureWebPreferences(preload: string): WindowOptions['webPreferences'] {
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
    navigateOnDragDrop: false,
    spellcheck: true,
  };
}

/** The URL of the app's own page, without query or hash, as frames report it. */
export function pageUrl(file: string): string {
  return pathToFileURL(file).href;
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
 * Whether an IPC message comes from the top frame of one of our windows showing the app's page.
 * A frame that navigated elsewhere, an iframe, or a destroyed frame is not trusted.
 */
export function isTrustedSender(event: IpcMainEventLike, appPageUrl: string, ours: (contents: WebContentsLike) => boolean): boolean {
  const frame = event.senderFrame;
  if (!frame || frame.parent !== null) return false;
  if (!ours(event.sender)) return false;
  return stripQueryAndHash(frame.url) === stripQueryAndHash(appPageUrl);
}

/** Only web links leave the app, and only to the system browser. */
export function isSafeExternalUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}

const PAGE_PERMISSIONS = new Set(['clipboard-sanitized-write']);

/** Adds the CSP to every response of the app's own pages (the meta tag covers file:// loads). */
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
