import {
  DESKTOP_BRIDGE_KEY,
  createClient,
  isWebLink,
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
export function connect(win: Window = window): { client: Client; transport: Transport; openExternal: (url: string) => void } {
  const desktop = (win as unknown as Record<string, DesktopBridge | undefined>)[DESKTOP_BRIDGE_KEY];
  if (desktop) return { client: createClient(ipcConnector(desktop), { reconnect: true }), transport: 'ipc', openExternal: (url) => isWebLink(url) && desktop.openExternal(url) };
  const token = takeToken(win);
  return { client: createClient(webSocketConnector(webSocketUrl(win.location, token)), { reconnect: true }), transport: 'websocket', openExternal: (url) => openInNewTab(win, url) };
}

/** A web link in a new browser tab that cannot reach back into this page (no opener, no referrer). */
export function openInNewTab(win: Window, url: string): void {
  if (isWebLink(url)) win.open(url, '_blank', 'noopener,noreferrer');
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

export function webSocketConnector(url: string, probe: (url: string) => Promise<boolean> = hostAnswers): Connector {
  return (handlers) => {
    const socket = new WebSocket(url);
    let closed = false;
    let opened = false;
    const finish = (reason: string) => {
      if (closed) return;
      closed = true;
      handlers.onClose(reason);
    };
    socket.onopen = () => {
      opened = true;
      handlers.onOpen();
    };
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
    socket.onclose = (event) => {
      if (closed) return;
      // A browser reports every refused handshake (401 wrong token, 403 foreign origin) as 1006, the
      // same as a host that is not there; asking the host for its page over plain HTTP tells them apart.
      if (event.code === 1006 && !opened) {
        probe(url).then(
          (answers) => finish(describeClose({ code: event.code, reason: event.reason, opened, hostAnswers: answers })),
          () => finish(describeClose({ code: event.code, reason: event.reason, opened, hostAnswers: false })),
        );
        return;
      }
      finish(describeClose({ code: event.code, reason: event.reason, opened, hostAnswers: null }));
    };
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

/** Whether anything answers HTTP at the WebSocket's host (its address without the token). */
async function hostAnswers(wsUrl: string): Promise<boolean> {
  const page = new URL(wsUrl);
  page.protocol = page.protocol === 'wss:' ? 'https:' : 'http:';
  page.pathname = '/';
  page.search = '';
  try {
    await fetch(page, { method: 'HEAD', cache: 'no-store', signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

/**
 * What the user is told when the socket closes. `hostAnswers` is whether the host served a plain
 * HTTP request after a handshake failed (null when not asked).
 */
export function describeClose(close: { code: number; reason: string; opened: boolean; hostAnswers: boolean | null }): string {
  switch (close.code) {
    case 1006:
      if (close.opened) return 'the connection to the host was lost';
      return close.hostAnswers
        ? 'the host refused this window: its token is not the one of this launch (each start makes a new one); open the address it printed'
        : 'the host cannot be reached; is it running?';
    case 1001:
      return 'the host is shutting down';
    case 1009:
      return 'a message was too large';
    case 1011:
      return 'the host hit an error';
    case 4008:
      return 'this window fell behind the host; catching up';
    default:
      return close.reason || `closed with code ${close.code}`;
  }
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
