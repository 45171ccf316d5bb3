// The preload runs sandboxed: it may only require('electron'). It is bundled to CommonJS
// (dist/electron/preload.cjs) so the contract's channel names are inlined rather than required.
import { contextBridge, ipcRenderer } from 'electron';
import { DESKTOP_BRIDGE_KEY, IPC_CHANNELS, type DesktopBridge } from '../core/contract/bridge.js';
import type { RequestFrame, ServerFrame } from '../core/contract/protocol.js';

const listeners = new Set<(frame: ServerFrame) => void>();

// The IPC event object never reaches the page: it would hand it `ipcRenderer` itself.
ipcRenderer.on(IPC_CHANNELS.frame, (_event, frame: ServerFrame) => {
  for (const listener of listeners) listener(frame);
});

const bridge: DesktopBridge = {
  open: () => ipcRenderer.send(IPC_CHANNELS.open),
  send: (frame: RequestFrame) => ipcRenderer.send(IPC_CHANNELS.frame, frame),
  onFrame(listener) {
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  },
  close: () => ipcRenderer.send(IPC_CHANNELS.close),
  // Main checks the address again; the page is never trusted to have done so.
  openExternal: (url: string) => ipcRenderer.send(IPC_CHANNELS.openExternal, String(url)),
};

contextBridge.exposeInMainWorld(DESKTOP_BRIDGE_KEY, bridge);
