const timeFormat = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'medium' });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const shortDayFormat = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' });

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
  return dayFormat.format(ts);
}

/** A short date for lists (search results): the time today, else the day. */
export function shortWhen(ts: number, now = Date.now()): string {
  return dayKey(ts) === dayKey(now) ? timeFormat.format(ts) : shortDayFormat.format(ts);
}

/** A row's time of day; the full date and time on hover. */
export function RowTime({ ts }: { ts: number }) {
  const [iso, full, time] = rowTimeTexts(ts);
  return (
    <time className="row-time" dateTime={iso} title={full}>
      {time}
    </time>
  );
}

/** Rows scrolled back into view show the same times: formatted once, the last few thousand kept. */
const ROW_TIMES_KEPT = 5_000;
const rowTimes = new Map<number, readonly [string, string, string]>();

function rowTimeTexts(ts: number): readonly [string, string, string] {
  let texts = rowTimes.get(ts);
  if (!texts) {
    texts = [new Date(ts).toISOString(), fullFormat.format(ts), timeFormat.format(ts)];
    rowTimes.set(ts, texts);
    if (rowTimes.size > ROW_TIMES_KEPT) rowTimes.delete(rowTimes.keys().next().value as number);
  }
  return texts;
}
