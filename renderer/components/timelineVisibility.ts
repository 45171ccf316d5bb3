import type { TimelineItem, ToolCallItem } from '../../core/contract/index.js';
import { currentZone, dayKey } from './dates.js';


/** Tool calls that follow one another, shown as one collapsible row. */
export interface ToolGroup {
  kind: 'tool_group';
  /** The first call's id: stays the same as calls join the group. */
  id: string;
  seq: number;
  ts: number;
  runId: string | null;
  calls: ToolCallItem[];
}

/** A line where a new local calendar day starts, drawn above the first row of that day. */
export interface DayStart {
  /** The local day, 2026-12-06. */
  day: string;
  ts: number;
}

/** One row of the timeline as shown: an item or a group of consecutive tool calls. */
export type TimelineEntry = TimelineItem | ToolGroup;

/** The rows in order, and for each row that opens a local day, that day. */
export interface VisibleTimeline {
  rows: TimelineEntry[];
  dayStarts: ReadonlyMap<string, DayStart>;
}

/**
 * Each item's local day, worked out once per time zone: an older page's arrival passes over every
 * loaded item again. Kept with the zone it was worked out in, so after the zone changes (travel, a
 * changed system setting) every day is worked out again.
 */
const days = new WeakMap<TimelineItem, { zone: string; day: string }>();

function dayOf(item: TimelineItem, zone: string): string {
  const known = days.get(item);
  if (known?.zone === zone) return known.day;
  const day = dayKey(item.ts);
  days.set(item, { zone, day });
  return day;
}

/**
 * A reply that ended without text: a turn that only called tools, or one that failed, was stopped or
 * interrupted before the model wrote anything. It would be an empty bubble; the tool rows, the error
 * row and the run's status line already say what happened, so it is not shown.
 */
export function isEmptyEndedReply(item: TimelineItem): boolean {
  return item.kind === 'message' && item.role === 'assistant' && item.status !== 'streaming' && item.text.trim() === '';
}

/**
 * The rows the timeline shows, in order: the core's items minus empty ended replies, minus "waiting
 * for your permission" lines of runs no longer waiting (the answer moved them on), with consecutive
 * tool calls of one run grouped; and the rows where a new local day starts. One pass, so it stays
 * cheap for tens of thousands of items.
 *
 * A day's separator belongs to the row it stands above, not a row of its own: when an older page of
 * the same day loads, the separator moves up to the new first row and every row the reader was
 * looking at keeps its key, so the list can hold them in place.
 */
export function visibleTimelineItems(items: readonly TimelineItem[], waitingRuns: ReadonlySet<string> = new Set()): VisibleTimeline {
  const rows: TimelineEntry[] = [];
  const dayStarts = new Map<string, DayStart>();
  const zone = currentZone();
  let day = '';
  for (const item of items) {
    if (isEmptyEndedReply(item)) continue;
    if (item.kind === 'run_status' && item.status === 'waiting_permission' && !(item.runId && waitingRuns.has(item.runId))) continue;
    const itemDay = dayOf(item, zone);
    const opensDay = itemDay !== day;
    day = itemDay;
    if (item.kind === 'tool_call' && !opensDay) {
      const last = rows[rows.length - 1];
      if (last && last.kind === 'tool_group' && last.runId === item.runId) {
        last.calls.push(item);
        continue;
      }
      if (last && last.kind === 'tool_call' && last.runId === item.runId) {
        const group: ToolGroup = { kind: 'tool_group', id: `group-${last.id}`, seq: last.seq, ts: last.ts, runId: last.runId, calls: [last, item] };
        rows[rows.length - 1] = group;
        const start = dayStarts.get(last.id);
        if (start) {
          dayStarts.delete(last.id);
          dayStarts.set(group.id, start);
        }
        continue;
      }
    }
    if (opensDay) dayStarts.set(item.id, { day: itemDay, ts: item.ts });
    rows.push(item);
  }
  return { rows, dayStarts };
}
