import type { CoreOptions } from '../../core/app.js';
import type { Client } from '../../core/contract/index.js';
import { connectWebSocket, type WebSocketClientOptions } from '../../core/gateway/websocket-client.js';
import { startHostServer, type HostServer, type HostServerOptions } from '../../core/host/index.js';
import { startTestCore, type TestCore } from './core.js';

export interface TestHost extends TestCore {
  server: HostServer;
  /** A WebSocket client of this host; closed with the host. */
  connect(options?: WebSocketClientOptions): Client;
}

/**
 * A test core served by a real host server on 127.0.0.1 (no UI unless `rendererDir` is given).
 * `client` and `events` stay in-process; `connect` opens WebSocket clients.
 */
export async function startTestHost(
  options: Partial<CoreOptions> & { dataDir?: string } & Omit<HostServerOptions, 'core'> = {},
): Promise<TestHost> {
  const { port, rendererDir, token, heartbeatMs, extraOrigins, ...coreOptions } = options;
  const t = await startTestCore(coreOptions);
  const server = await startHostServer({ core: t.core, port, rendererDir: rendererDir ?? null, token, heartbeatMs, extraOrigins });
  const clients: Client[] = [];
  return {
    ...t,
    server,
    connect(clientOptions) {
      const client = connectWebSocket(server.wsUrl, clientOptions);
      clients.push(client);
      return client;
    },
    async close(closeOptions) {
      for (const client of clients) client.close();
      await server.close();
      await t.close(closeOptions);
    },
  };
}
