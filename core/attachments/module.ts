import type { WritableDB } from '../db/index.js';
import type { CapabilityModule } from '../modules/index.js';
import { AttachmentStore } from './store.js';

export interface AttachmentsModule extends CapabilityModule {
  readonly store: AttachmentStore;
}

/** Files sent with messages: their bytes, and `attachments.get` to show them again. */
export function createAttachmentsModule(deps: { db: WritableDB }): AttachmentsModule {
  const store = new AttachmentStore(deps.db);
  return {
    name: 'attachments',
    store,
    handlers: {
      'attachments.get': ({ id }) => {
        const { bytes, ...meta } = store.get(id);
        return { ...meta, data: bytes.toString('base64') };
      },
    },
  };
}
