import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { WebSocket } from 'ws';
import { attachWebSocketGateway } from '../../../core/gateway/websocket.js';
import type { Logger } from '../../../core/util/logger.js';
import { startTestCore, type TestCore } from '../../support/index.js';

/**
 * A client that puts its token in the path (`/ws/<token>`, `/<token>`) or under another name is
 * refused, and the token is neither written to the log nor repeated in the refusal. The logger here
 * keeps lines as given (the app's file logger masks the host token as well), so the gateway itself
 * is what keeps it out.
 */
describe('a token in the WebSocket path', () => {
  const TOKEN = 'tok-4c1f9e7a2b6d8035e91f';
  let t: TestCore;
  before(async () => {
    t = await startTestCore();
  });
  after(async () => {
    await t.close();
  });

  it('is refused, and the token is in no log line and no refusal', async () => {
    const server = createServer();
    const lines: string[] = [];
    const logger: Logger = { log: (level, msg, fields) => void lines.push(JSON.stringify({ level, msg, fields })) };
    const gateway = attachWebSocketGateway({ server, gateway: t.core.gateway, logger, token: TOKEN, allowedOrigins: () => [], maxBufferedBytes: 64 * 1024 });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const refusals: string[] = [];
      for (const path of [`/ws/${TOKEN}`, `/${TOKEN}`, `/ws/${TOKEN}?token=${TOKEN}`, `/ws?tok=${TOKEN}`, `/ws;token=${TOKEN}`, `/${encodeURIComponent(TOKEN)}/ws`]) {
        const ws = new WebSocket(base + path);
        const refused = await new Promise<{ status: number; body: string }>((resolve, reject) => {
          ws.once('open', () => reject(new Error(`${path} was accepted`)));
          ws.once('unexpected-response', (_req, res) => {
            let body = '';
            res.on('data', (d: Buffer) => (body += d));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          });
          ws.once('error', () => {});
        });
        assert.ok([401, 404].includes(refused.status), `${path}: ${refused.status}`);
        refusals.push(refused.body);
      }
      // The right place still works: the refusals were about the path.
      const ok = new WebSocket(`${base}/ws?token=${TOKEN}`);
      await new Promise((resolve, reject) => (ok.once('open', resolve), ok.once('error', reject)));
      ok.close();
      assert.ok(lines.length >= 6, 'each refusal was logged');
      for (const text of [...lines, ...refusals]) assert.equal(text.includes(TOKEN.slice(4, 20)), false, text);
    } finally {
      await gateway.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
