import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';

// Counts the formatters made, to tell "made once per zone" from "made per row".
const RealFormat = Intl.DateTimeFormat;
let made = 0;
Intl.DateTimeFormat = new Proxy(RealFormat, {
  construct(target, args) {
    made++;
    return Reflect.construct(target, args) as object;
  },
});
const { RowTime, dayLabel, shortWhen, checkZone, subscribeZone } = await import('../../renderer/components/dates.js');
const { formatWhen } = await import('../../renderer/views/scheduleFormat.js');

/** What a formatter made in `zone` says, to compare with what the app shows. */
function inZone(zone: string, options: Intl.DateTimeFormatOptions, ts: number): string {
  return new RealFormat(undefined, { ...options, timeZone: zone }).format(ts);
}

function withZone(run: (setZone: (zone: string) => void) => void): void {
  const before = process.env.TZ;
  try {
    run((zone) => (process.env.TZ = zone));
  } finally {
    if (before === undefined) delete process.env.TZ;
    else process.env.TZ = before;
  }
}

const TIME = { hour: '2-digit', minute: '2-digit' } as const;
const DAY = { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' } as const;
const SHORT_DAY = { day: 'numeric', month: 'short', year: 'numeric' } as const;
const WHEN = { weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' } as const;

test('after the time zone changes, row times, day labels, list dates and schedule times are those of the new zone', { timeout: 10_000 }, () => {
  withZone((setZone) => {
    // 23:30 on 6 December in UTC is 08:30 on 7 December in Tokyo and 15:30 on 6 December in Los Angeles.
    const ts = Date.UTC(2026, 11, 6, 23, 30);
    const now = Date.UTC(2026, 11, 20, 12, 0);
    for (const zone of ['UTC', 'Asia/Tokyo', 'America/Los_Angeles']) {
      setZone(zone);
      const html = renderToStaticMarkup(createElement(RowTime, { ts }));
      assert.ok(html.includes(`>${inZone(zone, TIME, ts)}</time>`), `${zone}: ${html}`);
      assert.equal(dayLabel(ts, now), inZone(zone, DAY, ts), zone);
      assert.equal(shortWhen(ts, now), inZone(zone, SHORT_DAY, ts), zone);
      assert.equal(formatWhen(ts), inZone(zone, WHEN, ts), zone);
    }
  });
});

test('formatters are made once per time zone, not once per row', { timeout: 10_000 }, () => {
  withZone((setZone) => {
    setZone('Europe/London');
    const start = Date.UTC(2026, 11, 6, 9, 0);
    const draw = () => {
      for (let i = 0; i < 2_000; i++) renderToStaticMarkup(createElement(RowTime, { ts: start + i * 60_000 }));
    };
    draw();
    const before = made;
    draw();
    assert.equal(made, before, 'drawing the same zone again makes no formatter');
    setZone('Asia/Kolkata');
    draw();
    // The row's full date and its time of day: one formatter each for the new zone.
    assert.equal(made - before, 2, 'a new zone makes each formatter once');
    const html = renderToStaticMarkup(createElement(RowTime, { ts: start }));
    assert.ok(html.includes(`>${inZone('Asia/Kolkata', TIME, start)}</time>`), html);
  });
});

test('whoever shows local times hears once of each zone change when the window looks (focus, visible, each minute)', { timeout: 10_000 }, () => {
  withZone((setZone) => {
    setZone('UTC');
    checkZone();
    let heard = 0;
    const stop = subscribeZone(() => heard++);
    try {
      checkZone();
      assert.equal(heard, 0, 'no change, nothing to hear');
      setZone('Australia/Sydney');
      checkZone();
      checkZone();
      assert.equal(heard, 1, 'one change heard once');
      setZone('UTC');
      checkZone();
      assert.equal(heard, 2);
    } finally {
      stop();
    }
  });
});
