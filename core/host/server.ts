import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createCore, type Core, type CoreOptions } from '../app.js';
import { AppError } from '../contract/index.js';
import { readLock } from '../datadir/index.js';
import { attachWebSocketGateway } from '../gateway/index.js';
import { createStaticHandler, securityHeaders } from './static.js';

/** Where `npm run build:renderer` puts the built UI. */
export const DEFAULT_RENDERER_DIR = fileURLToPath(new URL('../../dist/renderer', import.meta.url));

export interface HostServerOptions {
  core: Core;
  /** 0 or absent: a free port chosen by the system. */
  port?: number;
  /** The built renderer to serve; absent: `dist/renderer`; null: no UI, only the WebSocket. */
  rendererDir?: string | null;
  /** The per-launch secret; a random one when absent. */
  token?: string;
  /** Heartbeat interval of the WebSocket, in ms. */
  heartbeatMs?: number;
  /** Further browser origins allowed on the WebSocket (a renderer dev server). */
  extraOrigins?: readonly string[];
}

export interface HostServer {
  /** The page to open, with the token: `http://127.0.0.1:PORT/?token=TOKEN`. */
  url: string;
  /** `ws://127.0.0.1:PORT/ws?token=TOKEN`. */
  wsUrl: string;
  port: number;
  token: string;
  /** Open WebSocket connections. */
  clientCount(): number;
  /** Cuts every WebSocket connection as a network failure would (tests of resume). */
  dropClients(): void;
  /** Closes connections and the listener, and withdraws the endpoint from the lock. Core stays open. */
  close(): Promise<void>;
}

/**
 * Serves a core on 127.0.0.1 only: the built renderer over HTTP and the gateway over WebSocket,
 * behind a per-launch token. Publishes `{url, token}` in the data folder's lock so the CLI finds it.
 */
export async function startHostServer(options: HostServerOptions): Promise<HostServer> {
  const { core } = options;
  const token = options.token ?? randomBytes(24).toString('base64url');
  let port = 0;
  const origins = () => [`http://127.0.0.1:${port}`, `http://localhost:${port}`, ...(options.extraOrigins ?? [])];
  const hosts = () => [`127.0.0.1:${port}`, `localhost:${port}`];
  const serveStatic = createStaticHandler(options.rendererDir === undefined ? DEFAULT_RENDERER_DIR : options.rendererDir, () => port);

  const server: Server = createServer((req, res) => {
    if (!hosts().includes(req.headers.host ?? '')) {
      res.writeHead(403, { ...securityHeaders(port), 'content-type': 'text/plain; charset=utf-8' });
      res.end('unknown Host header\n');
      return;
    }
    serveStatic(req, res).catch((err: unknown) => {
      // The path only: the query may carry the token.
      core.logger.log('error', 'serving a file failed', { path: (req.url ?? '').split('?')[0], error: String(err) });
      if (!res.headersSent) res.writeHead(500, { ...securityHeaders(port), 'content-type': 'text/plain; charset=utf-8' });
      res.end('internal error\n');
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  const ws = attachWebSocketGateway({
    server,
    gateway: core.gateway,
    logger: core.logger,
    token,
    allowedOrigins: origins,
    allowedHosts: hosts,
    heartbeatMs: options.heartbeatMs,
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new AppError('unavailable', `port ${options.port} is already in use; pick another with --port`) : err);
    };
    server.once('error', onError);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${port}/`;
  const url = `${base}?token=${token}`;
  const wsUrl = `ws://127.0.0.1:${port}/ws?token=${token}`;
  // The lock names the address without the token, so "already running at ..." messages never show it.
  core.lock.setEndpoint({ url: base, token });
  core.logger.log('info', 'host listening', { url: base });

  let closing: Promise<void> | null = null;
  return {
    url,
    wsUrl,
    port,
    token,
    clientCount: () => ws.clientCount(),
    dropClients: () => ws.terminateAll(),
    close() {
      closing ??= (async () => {
        // When core closed first its lock is gone; writing the endpoint would bring the file back.
        if (readLock(core.lock.path)?.pid === process.pid) {
          try {
            core.lock.setEndpoint(null);
          } catch {
            // the folder may be gone (tests clean up eagerly); nothing is left to withdraw
          }
        }
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        await ws.close();
        for (const socket of sockets) socket.destroy();
        await stopped;
      })();
      return closing;
    },
  };
}

export interface HostOptions extends CoreOptions, Omit<HostServerOptions, 'core'> {}

export interface Host extends HostServer {
  core: Core;
}

/** A core on `dataDir` served by a host server: `agent-blob host`, the e2e tests, `npm start`'s fallback. */
export async function startHost(options: HostOptions): Promise<Host> {
  const { port, rendererDir, token, heartbeatMs, extraOrigins, ...coreOptions } = options;
  const core = createCore({ ...coreOptions, owner: coreOptions.owner ?? 'host' });
  let server: HostServer;
  try {
    server = await startHostServer({ core, port, rendererDir, token, heartbeatMs, extraOrigins });
  } catch (err) {
    await core.close();
    throw err;
  }
  let closing: Promise<void> | null = null;
  return {
    ...server,
    core,
    close() {
      closing ??= (async () => {
        await server.close();
        await core.close();
      })();
      return closing;
    },
  };
}
