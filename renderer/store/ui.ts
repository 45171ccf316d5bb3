import type { SliceCreator } from './types.js';

/** Where the window is: the pane shown, and a field a link asked that pane to bring into view. */
export interface UiSlice {
  pane: string;
  /** A place inside a pane to show (a Settings field), with a nonce so the same link works twice. */
  paneTarget: { pane: string; target: string; nonce: number } | null;
  /** Shows a pane, and with `target` the field or section a link points at. */
  navigate(pane: string, target?: string): void;
  /** The timeline search bar is open (Ctrl/Cmd+F). */
  searchOpen: boolean;
  setSearchOpen(open: boolean): void;
}

export const createUiSlice: SliceCreator<UiSlice> = (set, get) => ({
  pane: 'chat',
  paneTarget: null,
  searchOpen: false,
  setSearchOpen(open) {
    set({ searchOpen: open });
  },
  navigate(pane, target) {
    const nonce = (get().paneTarget?.nonce ?? 0) + 1;
    set({ pane, ...(target ? { paneTarget: { pane, target, nonce } } : {}) });
  },
});
