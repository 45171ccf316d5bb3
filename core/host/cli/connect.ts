import type { Core } from '../../app.js';
import { AppError, type Client } from '../../contract/index.js';
import { DataDirBusyError, dataPaths, lockHolderAlive, readLock, type LockInfo } from '../../datadir/index.js';
import { connectInProcess } from '../../gateway/index.js';
import { connectWebSocket } from '../../gateway/index.js';
import type { ConnectionMode } from './types.js';

export interface CliConnection {
  client: Client;
  mode: ConnectionMode;
  close(): Promise<void>;
}

/** The WebSocket address of a live holder's endpoint, with its token. */
export function endpointWsUrl(endpoint: NonNullable<LockInfo['endpoint']>): string {
  const url = new URL(endpoint.url);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  url.pathname = '/ws';
  url.search = '';
  url.hash = '';
  url.searchParams.set('token', endpoint.token);
  return url.toString();
}

/**
 * Reaches the core that owns `dataDir`: the running app (desktop or host) when the lock names a live
 * holder with an endpoint, otherwise a core started in this process, closed by `close`.
 */
export async function openConnection(dataDir: string, env: NodeJS.ProcessEnv): Promise<CliConnection> {
  const paths = dataPaths(dataDir);
  const holder = readLock(paths.lock);
  // A lock from before the machine last started, or whose pid was given out again, names another program.
  if (holder && lockHolderAlive(holder)) return connectToHolder(holder, paths.lock);
  // Loaded here rather than at the top: a command that talks to the running app never needs it.
  const { createCore } = await import('../../app.js');
  let core: Core;
  try {
    core = createCore({ dataDir, owner: 'cli', env });
  } catch (err) {
    // Another process may have started between reading the lock and taking it.
    if (err instanceof DataDirBusyError) return connectToHolder(err.holder, paths.lock);
    throw err;
  }
  const client = connectInProcess(core.gateway);
  // The core's timers do not hold a process open (a desktop app quits while a retry waits). Here the
  // command waits on them: a provider's retry backoff, a permission nobody answers yet. Without a
  // handle of its own, Node would find nothing left to do and end the command mid-run (exit 13).
  const keepAlive = setInterval(() => undefined, 1 << 30);
  return {
    client,
    mode: { kind: 'inprocess' },
    async close() {
      clearInterval(keepAlive);
      client.close();
      await core.close();
    },
  };
}

async function connectToHolder(holder: LockInfo, lockPath: string): Promise<CliConnection> {
  if (!holder.endpoint && holder.owner === 'cli') {
    throw new AppError(
      'unavailable',
      `another agent-blob command (pid ${holder.pid}) is using this data folder; wait for it to finish, or run "agent-blob host" so several commands can share the folder`,
    );
  }
  if (!holder.endpoint) {
    throw new AppError(
      'unavailable',
      `Agent Blob is already running (${holder.owner}, pid ${holder.pid}) and offers no endpoint for the command line yet; try again in a moment, or stop it (lock file ${lockPath})`,
    );
  }
  const client = connectWebSocket(endpointWsUrl(holder.endpoint));
  try {
    await client.call('system.ping', {});
  } catch (err) {
    client.close();
    throw new AppError('unavailable', `cannot reach the running app at ${holder.endpoint.url}: ${(err as Error).message}`);
  }
  return {
    client,
    mode: { kind: 'app', url: holder.endpoint.url, owner: holder.owner, pid: holder.pid },
    async close() {
      client.close();
    },
  };
}
