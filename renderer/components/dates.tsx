import { useSyncExternalStore } from 'react';

/**
 * Dates and times in the computer's time zone, which can change while the app runs (travel, a
 * changed system setting). A formatter keeps the zone it was made in, so each one here is made
 * once per zone: the zone is looked at on every use (two offsets read, tens of nanoseconds) and a
 * formatter is made again only after it changed.
 */

/** A winter and a summer moment of this year: their offsets from UTC tell zones apart (UTC, Tokyo and Los Angeles all differ). */
const year = new Date().getFullYear();
const winter = new Date(Date.UTC(year, 0, 1));
const summer = new Date(Date.UTC(year, 6, 1));
let winterOffset = winter.getTimezoneOffset();
let summerOffset = summer.getTimezoneOffset();
let zoneKey = `${winterOffset}/${summerOffset}`;
/** Rows scrolled back into view show the same times: formatted once per zone, the last few thousand kept. */
const ROW_TIMES_KEPT = 5_000;
const rowTimes = new Map<number, readonly [string, string, string]>();

/** Counts the zone changes seen: what was formatted in an earlier zone is made again. */
let zoneGeneration = 0;

/** The local time zone, as its offsets from UTC in January and July: changes when the zone does. */
export function currentZone(): string {
  const w = winter.getTimezoneOffset();
  const s = summer.getTimezoneOffset();
  if (w !== winterOffset || s !== summerOffset) {
    winterOffset = w;
    summerOffset = s;
    zoneKey = `${w}/${s}`;
    zoneGeneration++;
    rowTimes.clear();
  }
  return zoneKey;
}

/** A date formatter of the computer's current time zone: made once, and again after the zone changed. */
export function localFormat(options: Intl.DateTimeFormatOptions): (ts: number) => string {
  let made = -1;
  let formatter: Intl.DateTimeFormat | null = null;
  return (ts) => {
    currentZone();
    if (!formatter || made !== zoneGeneration) {
      formatter = new Intl.DateTimeFormat(undefined, options);
      made = zoneGeneration;
    }
    return formatter.format(ts);
  };
}

const zoneListeners = new Set<() => void>();
let announcedZone = zoneKey;
let zoneTimer: ReturnType<typeof setInterval> | null = null;

/**
 * Tells whoever shows local times (`useLocalZone`) that the zone changed since it was last told.
 * Runs when the window gets the focus back or becomes visible (back from sleep, from the system's
 * settings) and once a minute.
 */
export function checkZone(): void {
  const zone = currentZone();
  if (zone === announcedZone) return;
  announcedZone = zone;
  for (const listener of [...zoneListeners]) listener();
}

/** Calls `listener` after each zone change `checkZone` sees; returns how to stop. */
export function subscribeZone(listener: () => void): () => void {
  if (!zoneListeners.size && typeof window !== 'undefined') {
    window.addEventListener('focus', checkZone);
    document.addEventListener('visibilitychange', checkZone);
    zoneTimer = setInterval(checkZone, 60_000);
  }
  zoneListeners.add(listener);
  return () => {
    zoneListeners.delete(listener);
    if (zoneListeners.size || typeof window === 'undefined') return;
    window.removeEventListener('focus', checkZone);
    document.removeEventListener('visibilitychange', checkZone);
    if (zoneTimer !== null) clearInterval(zoneTimer);
    zoneTimer = null;
  };
}

/** The local time zone (see `currentZone`); a component that calls it draws again when the zone changes. */
export function useLocalZone(): string {
  return useSyncExternalStore(subscribeZone, currentZone, currentZone);
}

const timeFormat = localFormat({ hour: '2-digit', minute: '2-digit' });
const fullFormat = localFormat({ dateStyle: 'full', timeStyle: 'medium' });
const dayFormat = localFormat({ weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const shortDayFormat = localFormat({ day: 'numeric', month: 'short', year: 'numeric' });

/** The local calendar day of a moment, as a sortable key (2026-12-06). */
export function dayKey(ts: number): string {
  const d = new Date(ts);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

/** "Today", "Yesterday", or the day in full ("Friday, 4 December 2026"), in local time. */
export function dayLabel(ts: number, now = Date.now()): string {
  const key = dayKey(ts);
  if (key === dayKey(now)) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(yesterday.getDate() - 1);
  if (key === dayKey(yesterday.getTime())) return 'Yesterday';
  return dayFormat(ts);
}

/** A short date for lists (search results): the time today, else the day. */
export function shortWhen(ts: number, now = Date.now()): string {
  return dayKey(ts) === dayKey(now) ? timeFormat(ts) : shortDayFormat(ts);
}

/** A row's time of day; the full date and time on hover. */
export function RowTime({ ts }: { ts: number }) {
  useLocalZone();
  const [iso, full, time] = rowTimeTexts(ts);
  return (
    <time className="row-time" dateTime={iso} title={full}>
      {time}
    </time>
  );
}

/** A row's time as ISO, in full and as the time of day, in the current zone. */
export function rowTimeTexts(ts: number): readonly [string, string, string] {
  // Forgets the times of an earlier zone.
  currentZone();
  let texts = rowTimes.get(ts);
  if (!texts) {
    texts = [new Date(ts).toISOString(), fullFormat(ts), timeFormat(ts)];
    rowTimes.set(ts, texts);
    if (rowTimes.size > ROW_TIMES_KEPT) rowTimes.delete(rowTimes.keys().next().value as number);
  }
  return texts;
}
