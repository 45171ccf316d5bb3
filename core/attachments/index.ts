/** Files sent with a message: checked, stored apart from the event log, given to the model. */
export { checkAttachments, type CheckedAttachment } from './check.js';
export { AttachmentStore } from './store.js';
export { createAttachmentsModule, type AttachmentsModule } from './module.js';
