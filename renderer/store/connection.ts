import type { Client, ConnectionState } from '../../core/contract/index.js';
import type { SliceCreator } from './types.js';

export interface ConnectionSlice {
  connectionState: ConnectionState;
  /** Why the connection is in that state, in words (`connection lost: ...`). */
  connectionDetail: string;
  /** Follows the client's connection state from now on. */
  watchConnection(client: Client): () => void;
}

export const createConnectionSlice: SliceCreator<ConnectionSlice> = (set, _get, client) => ({
  connectionState: client.state(),
  connectionDetail: client.state() === 'open' ? 'connected' : 'connecting',
  watchConnection(c) {
    set({ connectionState: c.state(), connectionDetail: c.state() === 'open' ? 'connected' : 'connecting' });
    return c.onState((state, detail) => set({ connectionState: state, connectionDetail: detail }));
  },
});
