import { localFormat } from '../components/dates.js';

const whenFormat = localFormat({ weekday: 'short', day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });
const fullFormat = localFormat({ dateStyle: 'full', timeStyle: 'long' });

/** A fire time in this computer's time: "Mon, 7 Dec 2026, 09:00". */
export function formatWhen(ms: number): string {
  return whenFormat(ms);
}

/** The same moment in full, for a tooltip. */
export function formatFull(ms: number): string {
  return fullFormat(ms);
}
