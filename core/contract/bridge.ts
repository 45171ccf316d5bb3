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
}

export const DESKTOP_BRIDGE_KEY = 'agentBlob';
/** IPC channel names (renderer -> main: open, frame, close; main -> renderer: frame). */
export const IPC_CHANNELS = { open: 'agent-blob:open', frame: 'agent-blob:frame', close: 'agent-blob:close' } as const;
