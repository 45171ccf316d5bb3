import assert from 'node:assert/strict';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { openDatabase, type WritableDB } from '../../../core/db/index.js';
import { ScheduleQueries } from '../../../core/scheduler/index.js';
import { tempDir } from '../../support/index.js';

describe('the scheduler’s reads of slot rows', () => {
  let dir: ReturnType<typeof tempDir>;
  let db: WritableDB;
  beforeEach(() => {
    dir = tempDir();
    db = openDatabase({ file: join(dir.path, 'agent-blob.db') }).db;
  });
  afterEach(() => {
    db.close();
    dir.cleanup();
  });

  /** Every statement ScheduleQueries prepares that reads schedule_slots, with its query plan. */
  function slotReads(): { sql: string; plan: string }[] {
    const prepared: string[] = [];
    const spy = new Proxy(db, {
      get: (target, key) => (key === 'prepare' ? (sql: string) => (prepared.push(sql), target.prepare(sql)) : Reflect.get(target, key, target)),
    });
    new ScheduleQueries(spy);
    return prepared
      .filter((sql) => /FROM schedule_slots/.test(sql))
      .map((sql) => {
        const params = Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => null);
        const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail).join('; ');
        return { sql, plan };
      });
  }

  it('never scan the whole history: the slots that wait or run are read through their own index by schedule and status, whatever a schedule has behind it', () => {
    const reads = slotReads();
    assert.ok(reads.length >= 5, 'the slot reads were found');
    // A read of the table row by row (SQLite's "SCAN schedule_slots") goes through every slot ever
    // recorded; only a walk of the open slots' own index, which holds nothing else, is allowed.
    for (const { sql, plan } of reads) assert.doesNotMatch(plan, /SCAN schedule_slots(?! USING COVERING INDEX schedule_slots_open)/, `${sql}\n  is planned as ${plan}`);
    const open = reads.filter((r) => r.sql.includes("status IN ('queued', 'running')") && !r.sql.includes('GROUP BY'));
    assert.equal(open.length, 2, 'the open slots of one schedule, and the schedules with waiting slots');
    // The reads of open slots must not go through the primary key: (schedule_id, slot_time) finds a
    // schedule's open slots only by reading its whole history.
    for (const { sql, plan } of open) assert.doesNotMatch(plan, /PRIMARY KEY/, `${sql}\n  is planned as ${plan}`);
    // One schedule's open slots: found by schedule and status in the open slots' index, not by
    // walking the open slots of every schedule.
    const ofOne = open.filter((r) => r.sql.includes('schedule_id = ?'));
    assert.equal(ofOne.length, 1);
    assert.match(ofOne[0].plan, /SEARCH schedule_slots USING INDEX schedule_slots_open \(schedule_id=\? AND status=\?\)/, `${ofOne[0].sql}\n  is planned as ${ofOne[0].plan}`);
  });
});
