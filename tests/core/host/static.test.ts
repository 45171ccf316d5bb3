import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startTestHost, tempDir, type TestHost } from '../../support/index.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A raw request, so paths reach the server exactly as written (no client-side normalisation). */
function get(port: number, path: string, options: { method?: string; host?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: { host: options.host ?? `127.0.0.1:${port}` } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the host serving the built renderer', () => {
  const root = tempDir();
  const ui = join(root.path, 'renderer');
  let host: TestHost;
  let bare: TestHost;
  before(async () => {
    mkdirSync(join(ui, 'assets'), { recursive: true });
    writeFileSync(join(ui, 'index.html'), '<!doctype html><title>Agent Blob</title><script type="module" src="/assets/app-1234.js"></script>');
    writeFileSync(join(ui, 'assets', 'app-1234.js'), 'console.log("app")');
    writeFileSync(join(root.path, 'secret.txt'), 'do not serve me');
    host = await startTestHost({ rendererDir: ui });
    bare = await startTestHost({ rendererDir: join(root.path, 'missing') });
  });
  after(async () => {
    await host.close();
    await bare.close();
    root.cleanup();
  });

  it('serves index.html with a CSP, no-sniff and no referrer', async () => {
    const r = await get(host.server.port, `/?token=${host.server.token}`);
    assert.equal(r.status, 200);
    assert.match(r.body, /<title>Agent Blob<\/title>/);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['referrer-policy'], 'no-referrer');
    assert.equal(r.headers['cache-control'], 'no-cache');
    const csp = String(r.headers['content-security-policy']);
    assert.match(csp, /default-src 'self'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${host.server.port}`));
    assert.match(csp, /frame-ancestors 'none'/);
  });

  it('serves hashed assets with their type and a long cache, and client routes with index.html', async () => {
    const asset = await get(host.server.port, '/assets/app-1234.js');
    assert.equal(asset.status, 200);
    assert.equal(asset.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.match(String(asset.headers['cache-control']), /immutable/);
    const route = await get(host.server.port, '/settings/providers');
    assert.equal(route.status, 200);
    assert.match(route.body, /<title>Agent Blob/);
    assert.equal((await get(host.server.port, '/assets/missing.js')).status, 404);
  });

  it('never serves a file outside the renderer folder', async () => {
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/assets/..%2f..%2fsecret.txt']) {
      const r = await get(host.server.port, path);
      assert.doesNotMatch(r.body, /do not serve me/, path);
    }
  });

  it('refuses other methods and foreign Host headers', async () => {
    assert.equal((await get(host.server.port, '/', { method: 'POST' })).status, 405);
    const rebound = await get(host.server.port, '/', { host: `evil.example:${host.server.port}` });
    assert.equal(rebound.status, 403);
    assert.equal((await get(host.server.port, '/', { host: `localhost:${host.server.port}` })).status, 200);
  });

  it('says how to build the UI when the renderer is not built', async () => {
    const r = await get(bare.server.port, '/');
    assert.equal(r.status, 200);
    assert.match(r.body, /npm run build:renderer/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal((await get(bare.server.port, '/assets/app.js')).status, 404);
  });

  it('listens on 127.0.0.1 only', async () => {
    assert.match(host.server.url, /^http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    await assert.rejects(
      new Promise((resolve, reject) => {
        const req = request({ host: '::1', port: host.server.port, path: '/' }, resolve);
        req.on('error', reject);
        req.end();
      }),
    );
  });
});
