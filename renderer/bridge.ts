import {
  DESKTOP_BRIDGE_KEY,
  createClient,
  type Client,
  type Connector,
  type DesktopBridge,
  type ServerFrame,
} from '../core/contract/index.js';

/** Where the per-launch token is kept for this tab, so a reload needs no token in the URL. */
export const TOKEN_STORAGE_KEY = 'agent-blob.token';

export type Transport = 'ipc' | 'websocket';

/**
 * Connects the renderer to core over whichever transport this window has: Electron IPC when the
 * preload exposed a bridge, otherwise the headless host's WebSocket. Nothing else in the renderer
 * knows which one it got.
 */
export function connect(win: Window = window): { client: Client; transport: Transport } {
  const desktop = (win as unknown as Record<string, DesktopBridge | undefined>)[DESKTOP_BRIDGE_KEY];
  if (desktop) return { client: createClient(ipcConnector(desktop), { reconnect: true }), transport: 'ipc' };
  const token = takeToken(win);
  return { client: createClient(webSocketConnector(webSocketUrl(win.location, token)), { reconnect: true }), transport: 'websocket' };
}

/**
 * Reads `?token=` once, keeps it in sessionStorage and removes it from the address bar, so it is
 * neither bookmarked nor shown in screenshots, yet survives a reload of this tab.
 */
export function takeToken(win: Window): string | null {
  const url = new URL(win.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    try {
      win.sessionStorage.setItem(TOKEN_STORAGE_KEY, fromUrl);
    } catch {
      // storage can be disabled; the token still works for this page load
    }
    url.searchParams.delete('token');
    win.history.replaceState(win.history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  try {
    return win.sessionStorage.getItem(TOKEN_STORAGE_KEY);
  } catch {
    return null;
  }
}

export function webSocketUrl(location: Pick<Location, 'protocol' | 'host'>, token: string | null): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
}

export function webSocketConnector(url: string): Connector {
  return (handlers) => {
    const socket = new WebSocket(url);
    let closed = false;
    const finish = (reason: string) => {
      if (closed) return;
      closed = true;
      handlers.onClose(reason);
    };
    socket.onopen = () => handlers.onOpen();
    socket.onmessage = (message) => {
      if (typeof message.data !== 'string') return;
      let frame: ServerFrame;
      try {
        frame = JSON.parse(message.data) as ServerFrame;
      } catch {
        return;
      }
      handlers.onFrame(frame);
    };
    // A browser hides why a handshake failed (wrong token, host down); the close code is all we get.
    socket.onclose = (event) => finish(event.reason || describeCloseCode(event.code));
    socket.onerror = () => {
      /* always followed by close, which carries what little the browser tells */
    };
    return {
      send(frame) {
        if (socket.readyState !== WebSocket.OPEN) throw new Error('the connection is not open');
        socket.send(JSON.stringify(frame));
      },
      close() {
        socket.close(1000, 'closed by the app');
        finish('closed');
      },
    };
  };
}

function describeCloseCode(code: number): string {
  // Also what a refused token looks like from here: after a host restart, open the address it printed.
  if (code === 1006) return 'the host cannot be reached (if it was restarted, open the address it printed)';
  if (code === 1001) return 'the host is shutting down';
  if (code === 1008) return 'the host refused this window (token or origin)';
  if (code === 1009) return 'a message was too large';
  if (code === 1011) return 'the host hit an error';
  return `closed with code ${code}`;
}

export function ipcConnector(desktop: DesktopBridge): Connector {
  return (handlers) => {
    let open = true;
    const stop = desktop.onFrame((frame) => {
      if (open) handlers.onFrame(frame);
    });
    desktop.open();
    queueMicrotask(() => open && handlers.onOpen());
    return {
      send(frame) {
        if (!open) throw new Error('the connection is not open');
        desktop.send(frame);
      },
      close() {
        if (!open) return;
        open = false;
        stop();
        desktop.close();
        handlers.onClose('closed');
      },
    };
  };
}
