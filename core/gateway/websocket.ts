import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { MAX_FRAME_BYTES, type ServerFrame } from '../contract/index.js';
import type { Logger } from '../util/index.js';
import type { Gateway } from './dispatch.js';

export interface WebSocketGatewayOptions {
  /** The HTTP server whose upgrades on `path` become gateway sessions. */
  server: Server;
  gateway: Gateway;
  logger: Logger;
  /** The per-launch secret a client must present as `?token=`. */
  token: string;
  /** Origins allowed besides "none" (Node clients); browsers must come from one of these. */
  allowedOrigins: () => readonly string[];
  /** `Host` headers accepted (`127.0.0.1:PORT`, `localhost:PORT`); guards against DNS rebinding. Any when absent. */
  allowedHosts?: () => readonly string[];
  path?: string;
  /** How often peers are pinged; a peer that missed the previous ping is dropped. */
  heartbeatMs?: number;
  /**
   * A peer that lets this much unsent data pile up is too slow to follow the log; it is dropped
   * and resumes from its last seq when it reconnects, instead of growing the host's memory.
   */
  maxBufferedBytes?: number;
}

export interface WebSocketGateway {
  /** Open connections. */
  clientCount(): number;
  /** Drops every connection without a close handshake, as a network failure would. */
  terminateAll(): void;
  /** Closes every connection with a reason and stops accepting new ones. */
  close(reason?: string): Promise<void>;
}

/** Close codes the host uses (RFC 6455 and the private range). */
export const CLOSE_CODES = {
  goingAway: 1001,
  tooBig: 1009,
  tooSlow: 4008,
} as const;

/**
 * The WebSocket transport: one gateway session per connection, JSON text frames, a size cap, a
 * per-launch token and an Origin check on the upgrade, and heartbeats that drop dead peers.
 */
export function attachWebSocketGateway(options: WebSocketGatewayOptions): WebSocketGateway {
  const path = options.path ?? '/ws';
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxBuffered = options.maxBufferedBytes ?? 64 * 1024 * 1024;
  const { gateway, logger } = options;
  const expectedToken = Buffer.from(options.token, 'utf8');
  // UTF-8 is checked here rather than by `ws`, which closes the connection (1007) on a bad frame:
  // a bad frame gets an error reply like any other malformed request, and the connection stays.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false, skipUTF8Validation: true });
  const alive = new WeakMap<WebSocket, boolean>();
  let accepting = true;

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const refusal = checkUpgrade(req);
    if (refusal) {
      refuse(socket, refusal.status, refusal.message);
      logger.log('warn', 'websocket upgrade refused', { status: refusal.status, reason: refusal.message, origin: req.headers.origin ?? null });
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws));
  };
  options.server.on('upgrade', onUpgrade);

  function checkUpgrade(req: IncomingMessage): { status: number; message: string } | null {
    if (!accepting) return { status: 503, message: 'the host is shutting down' };
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      return { status: 400, message: 'bad request URL' };
    }
    if (options.allowedHosts && !options.allowedHosts().includes(req.headers.host ?? '')) {
      return { status: 403, message: 'unknown Host header' };
    }
    // The path is not repeated: a client that put its token there would see it in the log.
    if (url.pathname !== path) return { status: 404, message: `no WebSocket endpoint at this path; connect to ${path}?token=…` };
    const given = Buffer.from(url.searchParams.get('token') ?? '', 'utf8');
    if (given.length !== expectedToken.length || !timingSafeEqual(given, expectedToken)) {
      return { status: 401, message: 'missing or wrong token' };
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !options.allowedOrigins().includes(origin)) {
      return { status: 403, message: 'foreign origin' };
    }
    return null;
  }

  function serve(ws: WebSocket): void {
    alive.set(ws, true);
    const send = (frame: ServerFrame) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > maxBuffered) {
        logger.log('warn', 'websocket peer too slow; closing it', { bufferedBytes: ws.bufferedAmount });
        ws.close(CLOSE_CODES.tooSlow, 'client too slow; reconnect and resume from the last seq');
        return;
      }
      ws.send(JSON.stringify(frame));
    };
    const session = gateway.openSession(send, 'websocket');
    ws.on('pong', () => alive.set(ws, true));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        send({ id: null, ok: false, error: { code: 'invalid_input', message: 'binary frames are not accepted; send JSON as text' } });
        return;
      }
      const text = decodeUtf8(data);
      if (text === null) {
        send({ id: null, ok: false, error: { code: 'invalid_input', message: 'the frame is not valid UTF-8 text' } });
        return;
      }
      void session.receive(text);
    });
    ws.on('error', (err) => {
      // `ws` reports protocol violations (oversize frames, bad control frames) here and then closes with a reason.
      logger.log('warn', 'websocket connection error', { error: String(err.message) });
    });
    ws.on('close', () => session.close());
  }

  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.get(ws)) {
        ws.terminate();
        continue;
      }
      alive.set(ws, false);
      try {
        ws.ping();
      } catch {
        ws.terminate();
      }
    }
  }, heartbeatMs);
  timer.unref();

  return {
    clientCount: () => wss.clients.size,
    terminateAll() {
      for (const ws of wss.clients) ws.terminate();
    },
    async close(reason = 'the host is shutting down') {
      accepting = false;
      clearInterval(timer);
      options.server.off('upgrade', onUpgrade);
      const closing = [...wss.clients].map(
        (ws) =>
          new Promise<void>((resolve) => {
            ws.once('close', () => resolve());
            ws.close(CLOSE_CODES.goingAway, reason);
            // A peer that does not answer the close handshake is cut off.
            setTimeout(() => ws.terminate(), 500).unref();
          }),
      );
      await Promise.all(closing);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The frame's text, or null when its bytes are not valid UTF-8 (Buffer.toString would replace them silently). */
function decodeUtf8(data: RawData): string | null {
  const bytes = Array.isArray(data) ? Buffer.concat(data) : data instanceof ArrayBuffer ? new Uint8Array(data) : data;
  try {
    return utf8.decode(bytes);
  } catch {
    return null;
  }
}

function refuse(socket: Duplex, status: number, message: string): void {
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 503: 'Service Unavailable' }[status] ?? 'Error';
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
  setTimeout(() => socket.destroy(), 1000).unref();
}
