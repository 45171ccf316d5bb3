import type { Statement } from 'better-sqlite3';
import { AppError, type AttachmentMeta } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import type { CheckedAttachment } from './check.js';

type Row = { id: string; name: string; media_type: string; size: number; data: Buffer };

/** The bytes of attached files, by id. Written in the transaction of the message that names them. */
export class AttachmentStore {
  private readonly insert: Statement;
  private readonly byId: Statement;

  constructor(db: WritableDB) {
    this.insert = db.prepare('INSERT INTO attachments (id, message_id, name, media_type, size, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.byId = db.prepare('SELECT id, name, media_type, size, data FROM attachments WHERE id = ?');
  }

  /** Stores the files of a message; call inside the transaction that appends its `message.created`. */
  put(messageId: string, files: readonly CheckedAttachment[], nextId: () => string, now: number): AttachmentMeta[] {
    return files.map((file) => {
      const id = nextId();
      this.insert.run(id, messageId, file.name, file.mediaType, file.bytes.length, file.bytes, now);
      return { id, name: file.name, mediaType: file.mediaType, size: file.bytes.length };
    });
  }

  /** A file with its bytes, or null when there is none of that id. */
  find(id: string): (AttachmentMeta & { bytes: Buffer }) | null {
    const row = this.byId.get(id) as Row | undefined;
    return row ? { id: row.id, name: row.name, mediaType: row.media_type, size: row.size, bytes: row.data } : null;
  }

  get(id: string): AttachmentMeta & { bytes: Buffer } {
    const found = this.find(id);
    if (!found) throw new AppError('not_found', `no attachment ${id}`);
    return found;
  }
}
