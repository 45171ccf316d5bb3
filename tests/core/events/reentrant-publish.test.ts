import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppEvent } from '../../../core/contract/index.js';
import { openDatabase } from '../../../core/db/index.js';
import { EventLog } from '../../../core/events/index.js';
import { ManualClock } from '../../../core/util/clock.js';

function freshLog(): EventLog {
  const { db } = openDatabase({ file: ':memory:' });
  return new EventLog(db, new ManualClock());
}

describe('publishing events to listeners that append', () => {
  it('a listener that appends while an event is published does not make later listeners miss or reorder events', () => {
    const log = freshLog();
    const first: number[] = [];
    const second: number[] = [];
    log.subscribe(0, (event) => {
      first.push(event.seq);
      // Reacting to an event by writing another, synchronously (an in-process client calling a command).
      if (event.type === 'settings.changed' && event.data.keys[0] === 'trigger') {
        log.transaction(() => log.append('settings.changed', { keys: ['reaction'] }));
      }
    });
    log.subscribe(0, (event) => second.push(event.seq));
    log.transaction(() => log.append('settings.changed', { keys: ['trigger'] }));
    log.transaction(() => log.append('settings.changed', { keys: ['after'] }));
    assert.deepEqual(first, [1, 2, 3]);
    assert.deepEqual(second, [1, 2, 3], 'every listener hears every event once, in seq order');
  });

  it('a subscriber added from inside a listener starts after the event being published, without a duplicate', () => {
    const log = freshLog();
    const late: AppEvent[] = [];
    let added = false;
    log.subscribe(0, (event) => {
      if (added) return;
      added = true;
      log.subscribe(event.seq, (e) => late.push(e));
    });
    log.transaction(() => log.append('settings.changed', { keys: ['a'] }));
    log.transaction(() => log.append('settings.changed', { keys: ['b'] }));
    assert.deepEqual(late.map((e) => e.seq), [2]);
  });
});
