import type { ConnectionState } from '../../core/contract/index.js';
import type { SliceCreator } from './types.js';

export interface ConnectionSlice {
  connectionState: ConnectionState;
  /** Why the connection is in that state, in words (`connection lost: ...`). */
  connectionDetail: string;
}

/** Follows the client's connection state for as long as the store lives (the window's life). */
export const createConnectionSlice: SliceCreator<ConnectionSlice> = (set, _get, client) => {
  client.onState((state, detail) => set({ connectionState: state, connectionDetail: detail }));
  return {
    connectionState: client.state(),
    connectionDetail: client.state() === 'open' ? 'connected' : 'connecting',
  };
};
