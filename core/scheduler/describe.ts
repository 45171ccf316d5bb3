import type { ScheduleSpec, Weekday } from '../contract/index.js';
import { loadPackage, requirePackage, type PackageLoader } from '../util/index.js';

const DAY_NAMES: Record<Weekday, string> = { mon: 'Monday', tue: 'Tuesday', wed: 'Wednesday', thu: 'Thursday', fri: 'Friday', sat: 'Saturday', sun: 'Sunday' };

/**
 * A timing in plain words: "every weekday at 09:00 (Europe/Berlin)", "every 10 minutes". cronstrue
 * is loaded when a cron timing is first described, not at every start (`load`: tests inject a
 * failing one). A cron expression cronstrue cannot put in words is shown as it is; cronstrue
 * failing to load is a `PackageLoadError` (`unavailable`), not a wording.
 */
export function describeSpec(spec: ScheduleSpec, displayZone: string, load: PackageLoader = requirePackage): string {
  switch (spec.kind) {
    case 'interval':
      return `every ${describeSeconds(spec.everySeconds)}`;
    case 'daily':
      return `${describeDays(spec.days)} at ${spec.time} (${spec.timeZone})`;
    case 'cron': {
      const cronstrue = loadPackage<typeof import('cronstrue')>('cronstrue', load);
      let words: string;
      try {
        words = cronstrue.toString(spec.expr, { use24HourTimeFormat: true, verbose: false });
      } catch {
        words = `cron "${spec.expr}"`;
      }
      return `${words.charAt(0).toLowerCase()}${words.slice(1)} (${spec.timeZone})`;
    }
    case 'once':
      return `once, on ${formatLocal(Date.parse(spec.at), displayZone)} (${displayZone})`;
  }
}

/** "10 seconds", "5 minutes", "1 hour 30 minutes", "2 days". */
export function describeSeconds(total: number): string {
  const parts: string[] = [];
  const units: [number, string][] = [
    [86_400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  let rest = total;
  for (const [size, name] of units) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n} ${name}${n === 1 ? '' : 's'}`);
    rest -= n * size;
  }
  if (parts.length === 1 && parts[0].startsWith('1 ')) return parts[0].slice(2);
  return parts.join(' ');
}

function describeDays(days: readonly Weekday[]): string {
  const set = new Set(days);
  if (set.size === 0 || set.size === 7) return 'every day';
  const weekdays: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri'];
  if (set.size === 5 && weekdays.every((d) => set.has(d))) return 'every weekday';
  if (set.size === 2 && set.has('sat') && set.has('sun')) return 'every Saturday and Sunday';
  const names = days.map((d) => DAY_NAMES[d]);
  return `every ${names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`}`;
}

/** "Fri 1 May 2026, 09:00" on the wall clock of `zone`. */
export function formatLocal(ms: number, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone: zone, weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(new Date(ms));
  const get = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('weekday')} ${get('day')} ${get('month')} ${get('year')}, ${get('hour')}:${get('minute')}`;
}
