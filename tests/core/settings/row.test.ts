import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { openDatabase } from '../../../core/db/index.js';
import { EventLog } from '../../../core/events/index.js';
import { DEFAULT_RETENTION, RetentionSettings } from '../../../core/maintenance/retention.js';
import { createSettingsProjector, SettingsRow } from '../../../core/settings/index.js';
import { ManualClock } from '../../../core/util/clock.js';

const Schema = z.object({ days: z.number().int().min(1), name: z.string() });

describe('a settings row', () => {
  it('keeps every readable field when one was written differently, and fills the rest from the defaults', () => {
    const { db } = openDatabase({ file: ':memory:' });
    const row = new SettingsRow(db, 'test.row', Schema, { days: 7, name: 'default' });
    assert.deepEqual(row.read(), { days: 7, name: 'default' }, 'no row yet: the defaults');
    db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('test.row', ?, 0)").run(JSON.stringify({ days: 30, name: 'mine' }));
    assert.deepEqual(row.read(), { days: 30, name: 'mine' });
    db.prepare("UPDATE settings SET value = ? WHERE key = 'test.row'").run(JSON.stringify({ days: 'thirty', name: 'mine', extra: true }));
    assert.deepEqual(row.read(), { days: 7, name: 'mine' }, 'only the unreadable field fell back');
    db.close();
  });

  it('reads a row that is not a JSON object as the defaults instead of failing the start, and a change writes it anew', () => {
    const { db } = openDatabase({ file: ':memory:' });
    const clock = new ManualClock(1000);
    const log = new EventLog(db, clock);
    log.addProjector(createSettingsProjector(db));
    const retention = new RetentionSettings(db, log);
    for (const bad of ['{not json', '[1,2]', 'null', '"text"']) {
      db.prepare("INSERT INTO settings (key, value, updated_at) VALUES ('maintenance.retention', ?, 0) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(bad);
      assert.deepEqual(retention.get(), DEFAULT_RETENTION, bad);
    }
    assert.deepEqual(retention.update({ auditDays: 30 }), { ...DEFAULT_RETENTION, auditDays: 30 });
    assert.deepEqual(retention.get(), { ...DEFAULT_RETENTION, auditDays: 30 });
    db.close();
  });
});
