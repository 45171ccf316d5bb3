import type { EventType } from '../contract/index.js';
import type { ReadableDB, WritableDB } from '../db/index.js';

/**
 * Removes the streamed pieces (`message.delta`) of every message completed before `completedBefore`:
 * the completed message holds the whole text, so no projection needs them to rebuild. Retention only;
 * run it inside the transaction that appends `maintenance.pruned`.
 */
export function deleteFinishedDeltas(db: WritableDB, completedBefore: number): number {
  return db
    .prepare(
      `DELETE FROM events WHERE type = 'message.delta' AND json_extract(data, '$.messageId') IN
         (SELECT json_extract(data, '$.messageId') FROM events WHERE type = 'message.completed' AND ts < ?)`,
    )
    .run(completedBefore).changes;
}

/**
 * Removes the events of `types` whose `data.<field>` is one of `values` (the audit events of pruned
 * permission requests). Retention only: the projection those events fed must have dropped the same rows.
 */
export function deleteEventsByField(db: WritableDB, types: readonly EventType[], field: string, values: readonly string[]): number {
  if (!types.length || !values.length) return 0;
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(field)) throw new Error(`not an event field name: ${field}`);
  return db
    .prepare(
      `DELETE FROM events WHERE type IN (SELECT value FROM json_each(?)) AND json_extract(data, '$.${field}') IN (SELECT value FROM json_each(?))`,
    )
    .run(JSON.stringify(types), JSON.stringify(values)).changes;
}

/** How many events the log holds. */
export function countEvents(db: ReadableDB): number {
  return Number(db.prepare('SELECT COUNT(*) FROM events').pluck().get());
}

/** The seq of the newest event in a database's log (0 for an empty log), for a database no EventLog has open (a backup). */
export function eventLogHead(db: ReadableDB): number {
  return Number(db.prepare('SELECT COALESCE(MAX(seq), 0) FROM events').pluck().get());
}
