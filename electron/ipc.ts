import { IPC_CHANNELS, MAX_FRAME_BYTES, isWebLink, type ServerFrame } from '../core/contract/index.js';
import type { Gateway, Session } from '../core/gateway/dispatch.js';
import type { Logger } from '../core/util/logger.js';
import type { DesktopApi, IpcMainEventLike, WebContentsLike } from './api.js';

export interface IpcTransportOptions {
  ipcMain: DesktopApi['ipcMain'];
  gateway: Gateway;
  logger: Logger;
  /** Whether a message comes from the app's own page; anything else is dropped unanswered. */
  isTrusted(event: IpcMainEventLike): boolean;
  /** Opens a web link in the system browser (checked to be http or https before). */
  openExternal?(url: string): void;
}

export interface IpcTransport {
  /** Open sessions, one per window's webContents. */
  sessionCount(): number;
  close(): void;
}

/**
 * Carries the contract over Electron IPC: one gateway session per window's webContents, request
 * frames in on `IPC_CHANNELS.frame`, replies and events out with `webContents.send`. The gateway
 * validates every frame, exactly as it does for the WebSocket.
 */
export function attachIpcTransport(options: IpcTransportOptions): IpcTransport {
  const { ipcMain, gateway, logger } = options;
  const sessions = new Map<number, { contents: WebContentsLike; session: Session }>();
  const watched = new WeakSet<WebContentsLike>();

  const closeSession = (id: number) => {
    const entry = sessions.get(id);
    if (!entry) return;
    sessions.delete(id);
    entry.session.close();
  };

  const watch = (contents: WebContentsLike) => {
    if (watched.has(contents)) return;
    watched.add(contents);
    const id = contents.id;
    // A reload or a crashed renderer starts a new page that must not receive the old page's events.
    contents.on('did-start-loading', () => closeSession(id));
    contents.on('render-process-gone', () => closeSession(id));
    contents.on('destroyed', () => closeSession(id));
  };

  const openSession = (contents: WebContentsLike) => {
    closeSession(contents.id);
    watch(contents);
    const session = gateway.openSession((frame: ServerFrame) => {
      if (!contents.isDestroyed()) contents.send(IPC_CHANNELS.frame, frame);
    }, 'ipc');
    sessions.set(contents.id, { contents, session });
  };

  const dropped = (event: IpcMainEventLike, channel: string) => {
    logger.log('warn', 'dropped an IPC message from a sender that is not the app page', {
      channel,
      url: event.senderFrame?.url ?? null,
    });
  };

  ipcMain.on(IPC_CHANNELS.open, (event) => {
    if (!options.isTrusted(event)) return dropped(event, IPC_CHANNELS.open);
    openSession(event.sender);
  });

  ipcMain.on(IPC_CHANNELS.frame, (event, frame) => {
    if (!options.isTrusted(event)) return dropped(event, IPC_CHANNELS.frame);
    if (!sessions.has(event.sender.id)) openSession(event.sender);
    const entry = sessions.get(event.sender.id)!;
    // The same size cap as the WebSocket, so a renderer cannot make core parse a huge request.
    if (frameSize(frame) > MAX_FRAME_BYTES) {
      const id = (frame as { id?: unknown } | null)?.id;
      entry.contents.send(IPC_CHANNELS.frame, {
        id: typeof id === 'number' || typeof id === 'string' ? id : null,
        ok: false,
        error: { code: 'invalid_input', message: `the frame is larger than ${MAX_FRAME_BYTES} bytes` },
      } satisfies ServerFrame);
      return;
    }
    void entry.session.receive(frame);
  });

  ipcMain.on(IPC_CHANNELS.openExternal, (event, url) => {
    if (!options.isTrusted(event)) return dropped(event, IPC_CHANNELS.openExternal);
    if (typeof url === 'string' && isWebLink(url)) options.openExternal?.(url);
    else logger.log('warn', 'refused to open a link that is not a web page', { url: typeof url === 'string' ? url.slice(0, 200) : typeof url });
  });

  ipcMain.on(IPC_CHANNELS.close, (event) => {
    if (!options.isTrusted(event)) return dropped(event, IPC_CHANNELS.close);
    closeSession(event.sender.id);
  });

  return {
    sessionCount: () => sessions.size,
    close() {
      for (const channel of Object.values(IPC_CHANNELS)) ipcMain.removeAllListeners(channel);
      for (const id of [...sessions.keys()]) closeSession(id);
    },
  };
}

function frameSize(frame: unknown): number {
  try {
    return Buffer.byteLength(typeof frame === 'string' ? frame : (JSON.stringify(frame) ?? ''));
  } catch {
    // Cyclic or otherwise unserialisable: the gateway will reject it by shape.
    return 0;
  }
}
