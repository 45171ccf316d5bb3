import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, resolve, sep } from 'node:path';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * Headers on every response. The page URL carries the token, so no referrer leaves; the page may
 * only talk to this host; nothing may frame it.
 */
export function securityHeaders(port: number): Record<string, string> {
  const self = [`ws://127.0.0.1:${port}`, `ws://localhost:${port}`].join(' ');
  return {
    'content-security-policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "font-src 'self' data:",
      `connect-src 'self' ${self}`,
      "object-src 'none'",
      "base-uri 'none'",
      "form-action 'none'",
      "frame-ancestors 'none'",
    ].join('; '),
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
    'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  };
}

const MISSING_BUILD_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Agent Blob: the UI is not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>The Agent Blob UI is not built yet</h1>
<p>The host is running, but there is no built renderer to show. Build it once with</p>
<pre>npm run build:renderer</pre>
<p>and reload this page. The command line (<code>agent-blob chat "hello"</code>) works without it.</p>
</body></html>
`;

/**
 * Serves the built renderer from `root` (GET and HEAD only). Paths without a file extension get
 * `index.html` so client-side routes survive a reload; a missing build gets a page that says how
 * to make one.
 */
export function createStaticHandler(root: string | null, port: () => number) {
  const base = root ? resolve(root) : null;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const headers = securityHeaders(port());
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      res.end('method not allowed\n');
      return;
    }
    let pathname: string;
    try {
      pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://127.0.0.1').pathname);
    } catch {
      res.writeHead(400, { ...headers, 'content-type': 'text/plain; charset=utf-8' });
      res.end('bad request\n');
      return;
    }
    if (!base || !(await isFile(join(base, 'index.html')))) {
      const status = pathname === '/' || pathname === '/index.html' ? 200 : 404;
      send(req, res, status, { ...headers, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }, Buffer.from(MISSING_BUILD_PAGE));
      return;
    }
    const wanted = normalize(join(base, pathname));
    if (wanted !== base && !wanted.startsWith(base + sep)) {
      send(req, res, 404, { ...headers, 'content-type': 'text/plain; charset=utf-8' }, Buffer.from('not found\n'));
      return;
    }
    let file = wanted;
    if (pathname.endsWith('/') || !(await isFile(file))) {
      if (extname(pathname)) {
        send(req, res, 404, { ...headers, 'content-type': 'text/plain; charset=utf-8' }, Buffer.from('not found\n'));
        return;
      }
      file = join(base, 'index.html');
    }
    const body = await readFile(file);
    const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
    // Hashed build assets never change; everything else must be fresh to pick up a new build.
    const cache = pathname.startsWith('/assets/') && file !== join(base, 'index.html') ? 'public, max-age=31536000, immutable' : 'no-cache';
    send(req, res, 200, { ...headers, 'content-type': type, 'cache-control': cache }, body);
  };
}

function send(req: IncomingMessage, res: ServerResponse, status: number, headers: Record<string, string>, body: Buffer): void {
  res.writeHead(status, { ...headers, 'content-length': String(body.length) });
  res.end(req.method === 'HEAD' ? undefined : body);
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}
