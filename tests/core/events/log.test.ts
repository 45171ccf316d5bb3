import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openDatabase } from '../../../core/db/index.js';
import { DeltaCoalescer, EventLog } from '../../../core/events/index.js';
import type { AppEvent } from '../../../core/contract/index.js';
import { ManualClock } from '../../../core/util/clock.js';

function freshLog() {
  const { db } = openDatabase({ file: ':memory:' });
  const clock = new ManualClock();
  return { db, clock, log: new EventLog(db, clock) };
}

describe('the event log', () => {
  it('gives every event the next seq and publishes only after the transaction commits', () => {
    const { log } = freshLog();
    const heard: AppEvent[] = [];
    log.subscribe(0, (e) => heard.push(e));
    log.transaction(() => {
      log.append('settings.changed', { keys: ['a'] });
      log.append('settings.changed', { keys: ['b'] });
      assert.equal(heard.length, 0, 'nothing is heard inside the transaction');
    });
    assert.deepEqual(heard.map((e) => e.seq), [1, 2]);
    assert.equal(log.head(), 2);
  });

  it('a step that throws inside a transaction is undone alone: its events and rows are gone, the rest commits with seqs in a row', () => {
    const { db, log } = freshLog();
    db.exec('CREATE TABLE marks (name TEXT PRIMARY KEY)');
    const mark = db.prepare('INSERT INTO marks (name) VALUES (?)');
    const heard: AppEvent[] = [];
    log.subscribe(0, (e) => heard.push(e));
    log.transaction(() => {
      log.append('settings.changed', { keys: ['before'] });
      mark.run('before');
      assert.throws(
        () =>
          log.attempt(() => {
            log.append('settings.changed', { keys: ['undone'] });
            mark.run('undone');
            throw new Error('this step fails');
          }),
        /this step fails/,
      );
      assert.equal(log.head(), 1, 'the undone step gave its seq back');
      log.attempt(() => {
        log.append('settings.changed', { keys: ['after'] });
        mark.run('after');
      });
    });
    assert.deepEqual(heard.map((e) => [e.seq, (e.data as { keys: string[] }).keys[0]]), [[1, 'before'], [2, 'after']]);
    assert.deepEqual(log.since(0).map((e) => e.seq), [1, 2]);
    assert.deepEqual(db.prepare('SELECT name FROM marks ORDER BY name').pluck().all(), ['after', 'before']);
    assert.throws(() => log.attempt(() => 1), /outside a transaction/);
  });

  it('a rolled-back transaction leaves no event and tells no one', () => {
    const { log } = freshLog();
    const heard: AppEvent[] = [];
    log.subscribe(0, (e) => heard.push(e));
    assert.throws(() =>
      log.transaction(() => {
        log.append('settings.changed', { keys: ['x'] });
        throw new Error('projection failed');
      }),
    );
    assert.equal(heard.length, 0);
    assert.equal(log.head(), 0);
    assert.equal(log.since(0).length, 0);
    log.transaction(() => log.append('settings.changed', { keys: ['y'] }));
    assert.deepEqual(heard.map((e) => e.seq), [1]);
  });

  it('refuses an append outside a transaction and data that breaks the contract', () => {
    const { log } = freshLog();
    assert.throws(() => log.append('settings.changed', { keys: ['x'] }), /outside a transaction/);
    assert.throws(() => log.transaction(() => log.append('settings.changed', { keys: 'x' } as never)));
    assert.equal(log.head(), 0);
  });

  it('subscribe from a seq delivers the stored backlog then live events, each once and in order', () => {
    const { log } = freshLog();
    for (let i = 0; i < 4500; i++) log.transaction(() => log.append('settings.changed', { keys: [String(i)] }));
    const seen: number[] = [];
    const stop = log.subscribe(1000, (e) => seen.push(e.seq));
    log.transaction(() => log.append('settings.changed', { keys: ['live'] }));
    stop();
    log.transaction(() => log.append('settings.changed', { keys: ['after'] }));
    assert.equal(seen.length, 3501);
    assert.equal(seen[0], 1001);
    assert.ok(seen.every((s, i) => i === 0 || s === seen[i - 1] + 1));
    assert.equal(seen.at(-1), 4501);
  });

  it('a throwing listener does not stop the others or the writer', () => {
    const { log } = freshLog();
    const heard: number[] = [];
    log.subscribe(0, () => {
      throw new Error('bad listener');
    });
    log.subscribe(0, (e) => heard.push(e.seq));
    log.transaction(() => log.append('settings.changed', { keys: ['a'] }));
    assert.deepEqual(heard, [1]);
  });

  it('runs projectors inside the appending transaction', () => {
    const { db, log } = freshLog();
    db.exec('CREATE TABLE counts (n INTEGER)');
    const bump = db.prepare('INSERT INTO counts VALUES (1)');
    log.addProjector(() => {
      bump.run();
    });
    assert.throws(() =>
      log.transaction(() => {
        log.append('settings.changed', { keys: ['a'] });
        throw new Error('rollback');
      }),
    );
    assert.equal((db.prepare('SELECT count(*) AS n FROM counts').get() as { n: number }).n, 0);
    log.transaction(() => log.append('settings.changed', { keys: ['b'] }));
    assert.equal((db.prepare('SELECT count(*) AS n FROM counts').get() as { n: number }).n, 1);
  });
});

describe('the delta coalescer', () => {
  it('gathers text for one window and writes it as one piece', () => {
    const clock = new ManualClock();
    const written: string[] = [];
    const c = new DeltaCoalescer(clock, (t) => written.push(t), 32);
    for (const piece of ['a', 'b', 'c']) c.push(piece);
    clock.advance(31);
    assert.deepEqual(written, []);
    clock.advance(1);
    assert.deepEqual(written, ['abc']);
    c.push('d');
    c.flush();
    assert.deepEqual(written, ['abc', 'd']);
  });

  it('500 tokens a second become at most one event per window', () => {
    const clock = new ManualClock();
    let events = 0;
    const c = new DeltaCoalescer(clock, () => events++, 32);
    for (let ms = 0; ms < 1000; ms += 2) {
      c.push('tok ');
      clock.advance(2);
    }
    c.flush();
    assert.ok(events <= 32, `${events} events in one second`);
    assert.ok(events >= 30);
  });

  it('discard drops what is buffered and cancels the timer', () => {
    const clock = new ManualClock();
    const written: string[] = [];
    const c = new DeltaCoalescer(clock, (t) => written.push(t), 32);
    c.push('lost');
    c.discard();
    clock.advance(100);
    assert.deepEqual(written, []);
    assert.equal(clock.pendingTimers(), 0);
  });
});
