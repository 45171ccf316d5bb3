import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openDatabase } from '../../../core/db/index.js';
import { tempDir } from '../../support/index.js';
import { countCommits } from '../../support/wal.js';

describe('counting write transactions from the WAL (tests/support/wal.ts)', () => {
  it('counts every committed write transaction, whatever made it, and no read, empty or rolled-back one', () => {
    const dir = tempDir();
    const { db } = openDatabase({ file: join(dir.path, 'agent-blob.db') });
    try {
      db.exec('CREATE TABLE scratch (n INTEGER)');
      const count = countCommits(db);
      const insert = db.prepare('INSERT INTO scratch (n) VALUES (?)');
      db.transaction(() => {
        insert.run(1);
        insert.run(2);
      })();
      insert.run(3); // a statement outside any transaction is one
      db.transaction(() => db.prepare('SELECT COUNT(*) FROM scratch').get())(); // reads only
      db.transaction(() => {})(); // writes nothing
      assert.throws(() =>
        db.transaction(() => {
          insert.run(4);
          throw new Error('rolled back');
        })(),
      );
      assert.equal(count.commits(), 2);
      for (let i = 0; i < 50; i++) insert.run(i); // more than one page of frames over time
      assert.equal(count.commits(), 52);
      count.stop();
    } finally {
      db.close();
      dir.cleanup();
    }
  });
});
