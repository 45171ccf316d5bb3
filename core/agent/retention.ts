import type { ReadableDB, WritableDB } from '../db/index.js';

/** The runs that still have a replay recording. */
export function recordedRunIds(db: ReadableDB): string[] {
  return db.prepare('SELECT DISTINCT run_id FROM agent_recordings').pluck().all() as string[];
}

/** Removes the replay recordings of `runIds` (runs ended before the retention keeps); returns the steps removed. */
export function deleteRecordings(db: WritableDB, runIds: readonly string[]): number {
  if (!runIds.length) return 0;
  return db.prepare('DELETE FROM agent_recordings WHERE run_id IN (SELECT value FROM json_each(?))').run(JSON.stringify(runIds)).changes;
}

/** Empties the raw turns archived by compactions made before `before` (the summaries stay); returns how many. */
export function clearCompactionArchives(db: WritableDB, before: number): number {
  return db.prepare("UPDATE agent_compactions SET archive = '[]' WHERE ts < ? AND archive <> '[]'").run(before).changes;
}
