import type { RequestFrame, ServerFrame } from './protocol.js';

/**
 * What the Electron preload exposes to the renderer as `window.agentBlob`: one frame channel each
 * way, the same frames the WebSocket carries. The renderer's bridge picks this when it exists.
 */
export interface DesktopBridge {
  /** Opens this window's session with core; frames start arriving on `onFrame`. */
  open(): void;
  send(frame: RequestFrame): void;
  onFrame(listener: (frame: ServerFrame) => void): () => void;
  close(): void;
  /** Opens a web link (http or https only) in the system browser, never in the app's window. */
  openExternal(url: string): void;
}

export const DESKTOP_BRIDGE_KEY = 'agentBlob';
/** IPC channel names (renderer -> main: open, frame, close, openExternal; main -> renderer: frame). */
export const IPC_CHANNELS = { open: 'agent-blob:open', frame: 'agent-blob:frame', close: 'agent-blob:close', openExternal: 'agent-blob:open-external' } as const;

/** Whether a link may leave the app: web pages only (http, https), without credentials in the address. */
export function isWebLink(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && parsed.username === '' && parsed.password === '';
  } catch {
    return false;
  }
}
