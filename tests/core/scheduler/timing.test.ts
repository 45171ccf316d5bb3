import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileTiming, describeSpec, dueSlots, normalizeSpec, slotsBetween } from '../../../core/scheduler/index.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const at = (s: string) => Date.parse(s);

describe('schedule timings', () => {
  it('an interval counts from its anchor, never from the instant asked about', () => {
    const anchor = at('2026-01-01T00:00:03Z');
    const timing = compileTiming({ kind: 'interval', everySeconds: 10 }, anchor);
    assert.equal(iso(timing.next(anchor - 5000)), '2026-01-01T00:00:13.000Z');
    assert.equal(iso(timing.next(anchor)), '2026-01-01T00:00:13.000Z');
    assert.equal(iso(timing.next(at('2026-01-01T00:00:13Z'))), '2026-01-01T00:00:23.000Z');
    assert.equal(iso(timing.next(at('2026-01-01T00:00:22.999Z'))), '2026-01-01T00:00:23.000Z');
  });

  it('a cron of 6 fields counts seconds and a cron of 5 minutes, each in its own zone', () => {
    const seconds = compileTiming(normalizeSpec({ kind: 'cron', expr: '*/15 * * * * *', timeZone: 'UTC' }, 'UTC', 0), 0);
    assert.equal(iso(seconds.next(at('2026-01-01T00:00:15Z'))), '2026-01-01T00:00:30.000Z');
    const weekdays = compileTiming(normalizeSpec({ kind: 'cron', expr: '0 9 * * 1-5' }, 'America/New_York', 0), 0);
    // 2026-01-03 is a Saturday: the next weekday 09:00 in New York is Monday 14:00 UTC.
    assert.equal(iso(weekdays.next(at('2026-01-03T00:00:00Z'))), '2026-01-05T14:00:00.000Z');
  });

  it('a daily time on chosen weekdays skips the other days', () => {
    const spec = normalizeSpec({ kind: 'daily', time: '7:15', days: ['fri', 'mon'] }, 'Europe/Berlin', 0);
    assert.deepEqual(spec, { kind: 'daily', time: '07:15', days: ['mon', 'fri'], timeZone: 'Europe/Berlin' });
    const timing = compileTiming(spec, 0);
    const slots = slotsBetween(timing, at('2026-01-01T00:00:00Z'), at('2026-01-15T00:00:00Z'), 10).map(iso);
    assert.deepEqual(slots, ['2026-01-02T06:15:00.000Z', '2026-01-05T06:15:00.000Z', '2026-01-09T06:15:00.000Z', '2026-01-12T06:15:00.000Z']);
  });

  it('a once timing fires at its instant and never again; a local time is read in its zone', () => {
    const spec = normalizeSpec({ kind: 'once', at: '2026-05-01T09:00' }, 'Europe/Berlin', 0);
    assert.deepEqual(spec, { kind: 'once', at: '2026-05-01T07:00:00.000Z' });
    const timing = compileTiming(spec, 0);
    assert.equal(iso(timing.next(0)), '2026-05-01T07:00:00.000Z');
    assert.equal(timing.next(at('2026-05-01T07:00:00Z')), null);
    assert.deepEqual(normalizeSpec({ kind: 'once', at: '2026-05-01T09:00:00+02:00' }, 'UTC', 0), { kind: 'once', at: '2026-05-01T07:00:00.000Z' });
  });

  it('bad timings are typed errors that say what is wrong', () => {
    assert.throws(() => normalizeSpec({ kind: 'cron', expr: '* * * *  *  * 2026' }, 'UTC', 0), { code: 'invalid_input', message: /5 fields .* or 6/ });
    assert.throws(() => normalizeSpec({ kind: 'cron', expr: '61 * * * *' }, 'UTC', 0), { code: 'invalid_input', message: /cron expression "61 \* \* \* \*"/ });
    assert.throws(() => normalizeSpec({ kind: 'cron', expr: '0 0 30 2 *' }, 'UTC', 0), { code: 'invalid_input', message: /never fires/ });
    assert.throws(() => normalizeSpec({ kind: 'once', at: 'next tuesday' }, 'UTC', 0), { code: 'invalid_input', message: /not a date and time/ });
  });

  describe('a 02:30 daily job across DST changes fires once a day, at 03:00 on the night 02:30 does not exist', () => {
    const cases: { zone: string; from: string; expected: string[] }[] = [
      // Berlin springs forward on 29 March 2026 (02:00 -> 03:00 CEST) and falls back on 25 October (03:00 -> 02:00 CET).
      { zone: 'Europe/Berlin', from: '2026-03-27T12:00:00Z', expected: ['2026-03-28T01:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z'] },
      { zone: 'Europe/Berlin', from: '2026-10-23T12:00:00Z', expected: ['2026-10-24T00:30:00.000Z', '2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z'] },
      // New York springs forward on 8 March 2026 (02:00 -> 03:00 EDT) and falls back on 1 November (02:00 -> 01:00 EST).
      { zone: 'America/New_York', from: '2026-03-06T12:00:00Z', expected: ['2026-03-07T07:30:00.000Z', '2026-03-08T07:00:00.000Z', '2026-03-09T06:30:00.000Z'] },
      { zone: 'America/New_York', from: '2026-10-30T12:00:00Z', expected: ['2026-10-31T06:30:00.000Z', '2026-11-01T07:30:00.000Z', '2026-11-02T07:30:00.000Z'] },
    ];
    for (const c of cases) {
      it(`${c.zone} from ${c.from.slice(0, 10)}`, () => {
        const timing = compileTiming({ kind: 'daily', time: '02:30', days: [], timeZone: c.zone }, 0);
        assert.deepEqual(slotsBetween(timing, at(c.from), at(c.from) + 3 * 86_400_000, 10).map(iso), c.expected);
      });
    }
  });

  it('an hourly cron fires in both repeated hours of a fall-back night, as elapsed time says it should', () => {
    const timing = compileTiming({ kind: 'cron', expr: '0 * * * *', timeZone: 'Europe/Berlin' }, 0);
    const slots = slotsBetween(timing, at('2026-10-24T23:30:00Z'), at('2026-10-25T02:30:00Z'), 10).map(iso);
    assert.deepEqual(slots, ['2026-10-25T00:00:00.000Z', '2026-10-25T01:00:00.000Z', '2026-10-25T02:00:00.000Z']);
  });

  it('due slots after a long absence come back as the newest ones and one stretch before them', () => {
    const first = at('2026-01-01T00:00:00Z');
    const interval = compileTiming({ kind: 'interval', everySeconds: 1 }, first - 1000);
    const week = dueSlots(interval, first, first + 7 * 86_400_000, 100);
    assert.equal(week.slots.length, 100);
    assert.equal(week.slots.at(-1), first + 7 * 86_400_000);
    assert.deepEqual(week.older, { from: first, to: week.slots[0] - 1000, count: 7 * 86_400 + 1 - 100 });

    const cron = compileTiming({ kind: 'cron', expr: '* * * * * *', timeZone: 'UTC' }, 0);
    const day = dueSlots(cron, first, first + 86_400_000, 50);
    assert.equal(day.slots.length, 50);
    assert.equal(day.slots.at(-1), first + 86_400_000);
    assert.equal(day.slots[0], first + 86_400_000 - 49_000);
    assert.deepEqual(day.older, { from: first, to: day.slots[0] - 1, count: null });

    const few = dueSlots(cron, first, first + 2000, 50);
    assert.deepEqual(few, { slots: [first, first + 1000, first + 2000], older: null });
  });

  it('timings are described in plain words', () => {
    assert.equal(describeSpec({ kind: 'interval', everySeconds: 10 }, 'UTC'), 'every 10 seconds');
    assert.equal(describeSpec({ kind: 'interval', everySeconds: 3600 }, 'UTC'), 'every hour');
    assert.equal(describeSpec({ kind: 'interval', everySeconds: 5400 }, 'UTC'), 'every 1 hour 30 minutes');
    assert.equal(describeSpec({ kind: 'daily', time: '09:00', days: ['mon', 'tue', 'wed', 'thu', 'fri'], timeZone: 'Europe/Berlin' }, 'UTC'), 'every weekday at 09:00 (Europe/Berlin)');
    assert.equal(describeSpec({ kind: 'daily', time: '07:15', days: ['mon', 'fri'], timeZone: 'UTC' }, 'UTC'), 'every Monday and Friday at 07:15 (UTC)');
    assert.equal(describeSpec({ kind: 'cron', expr: '*/15 9-17 * * 1-5', timeZone: 'UTC' }, 'UTC'), 'every 15 minutes, between 09:00 and 17:59, Monday through Friday (UTC)');
    assert.equal(describeSpec({ kind: 'once', at: '2026-05-01T07:00:00.000Z' }, 'Europe/Berlin'), 'once, on Fri 1 May 2026, 09:00 (Europe/Berlin)');
  });
});
