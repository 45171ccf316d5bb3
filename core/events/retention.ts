import type { EventType } from '../contract/index.js';
import type { ReadableDB, WritableDB } from '../db/index.js';

/**
 * Removes the streamed pieces (`message.delta`) of every message completed before `completedBefore`:
 * the completed message holds the whole text, so no projection needs them to rebuild. Retention only;
 * run it inside the transaction that appends `maintenance.pruned`. Reads the deltas left in the log
 * (`events_deltas`, a few rows) and their runs' events, never the whole log (CROSS JOIN: SQLite keeps
 * the deltas as the outer loop whatever its statistics say).
 */
export function deleteFinishedDeltas(db: WritableDB, completedBefore: number): number {
  return db
    .prepare(
      `DELETE FROM events WHERE seq IN
         (SELECT d.seq FROM events AS d CROSS JOIN events AS c ON c.run_id = d.run_id AND c.type = 'message.completed'
           WHERE d.type = 'message.delta' AND c.ts < ? AND json_extract(c.data, '$.messageId') = json_extract(d.data, '$.messageId'))`,
    )
    .run(completedBefore).changes;
}

/**
 * Removes the events of `types` whose `data.<field>` is one of the `entries`' values, each logged
 * with its entry's run (the audit events of pruned permission requests, logged with the request's
 * run). Retention only: the projection those events fed must have dropped the same rows. Events of a
 * run are found through the run index; only entries without a run read the rest of the log.
 */
export function deleteEventsByField(db: WritableDB, types: readonly EventType[], field: string, entries: readonly { runId: string | null; value: string }[]): number {
  if (!types.length || !entries.length) return 0;
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(field)) throw new Error(`not an event field name: ${field}`);
  const ofRuns = entries.filter((e) => e.runId !== null);
  const loose = entries.filter((e) => e.runId === null).map((e) => e.value);
  let removed = 0;
  if (ofRuns.length) {
    removed += db
      .prepare(
        `DELETE FROM events WHERE run_id IN (SELECT value FROM json_each(?)) AND type IN (SELECT value FROM json_each(?)) AND json_extract(data, '$.${field}') IN (SELECT value FROM json_each(?))`,
      )
      .run(JSON.stringify([...new Set(ofRuns.map((e) => e.runId))]), JSON.stringify(types), JSON.stringify(ofRuns.map((e) => e.value))).changes;
  }
  if (loose.length) {
    removed += db
      .prepare(`DELETE FROM events WHERE run_id IS NULL AND type IN (SELECT value FROM json_each(?)) AND json_extract(data, '$.${field}') IN (SELECT value FROM json_each(?))`)
      .run(JSON.stringify(types), JSON.stringify(loose)).changes;
  }
  return removed;
}

/** How many events the log holds. */
export function countEvents(db: ReadableDB): number {
  return Number(db.prepare('SELECT COUNT(*) FROM events').pluck().get());
}

/** The seq of the newest event in a database's log (0 for an empty log), for a database no EventLog has open (a backup). */
export function eventLogHead(db: ReadableDB): number {
  return Number(db.prepare('SELECT COALESCE(MAX(seq), 0) FROM events').pluck().get());
}
