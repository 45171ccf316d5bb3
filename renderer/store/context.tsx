import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { Client } from '../../core/contract/index.js';
import type { AppStore } from './index.js';
import type { AppState } from './types.js';

interface AppContextValue {
  store: AppStore;
  client: Client;
  /** Loads the window's state again after a failed start. */
  retryStart(): void;
  /** Opens a web link outside the app: the system browser (desktop) or a new tab (browser). */
  openExternal(url: string): void;
}

const AppContext = createContext<AppContextValue | null>(null);

export function AppProvider({ value, children }: { value: AppContextValue; children: ReactNode }) {
  return <AppContext.Provider value={value}>{children}</AppContext.Provider>;
}

function useAppContext(): AppContextValue {
  const value = useContext(AppContext);
  if (!value) throw new Error('useApp needs an <AppProvider> above it');
  return value;
}

/** Selects one field (or a derived value) of the store; re-renders only when it changes. */
export function useApp<T>(selector: (state: AppState) => T): T {
  return useStore(useAppContext().store, selector);
}

/** The typed client, for panes that call commands of their own. */
export function useClient(): Client {
  return useAppContext().client;
}

export function useRetryStart(): () => void {
  return useAppContext().retryStart;
}

export function useOpenExternal(): (url: string) => void {
  return useAppContext().openExternal;
}

/** The store itself, for event handlers that read the current state without subscribing to it. */
export function useAppStore(): AppStore {
  return useAppContext().store;
}
