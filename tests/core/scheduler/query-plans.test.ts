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

  it('never scan the whole history: the slots that wait or run are read through their own index, whatever a schedule has behind it', () => {
    const reads = slotReads();
    assert.ok(reads.length >= 5, 'the slot reads were found');
    for (const { sql, plan } of reads) assert.doesNotMatch(plan, /SCAN schedule_slots(?! USING COVERING INDEX schedule_slots_open)/, `${sql}\n  is planned as ${plan}`);
    const open = reads.filter((r) => r.sql.includes("status IN ('queued', 'running')") && !r.sql.includes('GROUP BY'));
    assert.equal(open.length, 2, 'the open slots of one schedule, and the schedules with waiting slots');
    for (const { sql, plan } of open) assert.match(plan, /schedule_slots_open/, `${sql}\n  is planned as ${plan}`);
  });
});
