import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import type { CustomSchemeLike } from './api.js';
import { DESKTOP_CSP } from './security.js';

/**
 * The window loads the UI from `app://agent-blob/`, a scheme only this app serves, never from
 * `file://`: on a file:// page the CSP's `'self'` would match any file on the disk, and every local
 * file would share the page's origin. The origin is what the IPC sender check trusts.
 */
export const APP_SCHEME = 'app';
export const APP_HOST = 'agent-blob';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the window shows (the built UI with the desktop CSP in its meta tag). */
export const APP_PAGE_URL = `${APP_ORIGIN}/desktop.html`;

/** Standard (relative URLs and an origin of its own), secure (a secure context, like https). */
export const APP_SCHEMES: CustomSchemeLike[] = [{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

const COMMON_HEADERS = {
  'Content-Security-Policy': DESKTOP_CSP,
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
};

function refuse(status: 404 | 405, text: string): Response {
  return new Response(text, { status, headers: { ...COMMON_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' } });
}

/**
 * Serves `app://agent-blob/<path>` from the built UI folder (inside app.asar when installed) and
 * nothing else: another host, a path that leaves the folder, a folder, a missing file or a method
 * other than GET/HEAD is refused. Every response carries the desktop CSP as a header.
 */
export function createAppProtocolHandler(rendererDir: string): (request: Request) => Promise<Response> {
  const root = resolve(rendererDir);
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return refuse(405, 'method not allowed');
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return refuse(404, 'not found');
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return refuse(404, 'not found');
    let path: string;
    try {
      path = decodeURIComponent(url.pathname === '/' ? '/desktop.html' : url.pathname);
    } catch {
      return refuse(404, 'not found');
    }
    if (path.includes('\0')) return refuse(404, 'not found');
    const file = resolve(root, `.${path}`);
    if (!file.startsWith(root + sep)) return refuse(404, 'not found');
    try {
      if (!(await stat(file)).isFile()) return refuse(404, 'not found');
      const body = await readFile(file);
      const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
      return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: { ...COMMON_HEADERS, 'Content-Type': type } });
    } catch {
      return refuse(404, path.endsWith('/desktop.html') ? 'the UI is not built; run `npm run build`' : 'not found');
    }
  };
}
