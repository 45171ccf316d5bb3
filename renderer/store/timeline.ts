import {
  applyTimelineEvent,
  indexTimeline,
  timelineThreads,
  type AppEvent,
  type TimelineItem,
  type TimelineThreads,
} from '../../core/contract/index.js';
import { describeError } from './errors.js';
import type { SliceCreator } from './types.js';

/** How many items one page of the timeline holds. */
export const TIMELINE_PAGE_SIZE = 300;

export interface TimelineSlice {
  timelineItems: TimelineItem[];
  timelineStatus: 'loading' | 'ready' | 'error';
  timelineError: string | null;
  /** Older items exist in core that are not loaded yet. */
  hasOlder: boolean;
  loadingOlder: boolean;
  olderError: string | null;
  /** Loads the newest page and returns the seq it reflects, to subscribe from. */
  loadTimeline(): Promise<number>;
  /** Loads the page before the oldest loaded item. */
  loadOlder(): Promise<void>;
  applyTimelineEvents(events: readonly AppEvent[]): void;
  /**
   * The thread of every run this window has heard of, shared by the master timeline (the chat's
   * thread, with results posted into it) and a thread opened on its own.
   */
  runThreads: Map<string, string>;
}

export const createTimelineSlice: SliceCreator<TimelineSlice> = (set, get, client) => {
  // Position of every item by id; kept beside the items because `applyTimelineEvent` updates it in place.
  let index = new Map<string, number>();
  // The master timeline shows the chat's thread; another run's items stay in their own thread.
  const threads: TimelineThreads = timelineThreads();

  return {
    timelineItems: [],
    timelineStatus: 'loading',
    timelineError: null,
    hasOlder: false,
    loadingOlder: false,
    olderError: null,
    // The same map for the window's life: loading a page adds to it, never replaces it.
    runThreads: threads.runs,

    async loadTimeline() {
      set({ timelineStatus: 'loading', timelineError: null });
      try {
        const page = await client.call('timeline.list', { limit: TIMELINE_PAGE_SIZE });
        index = indexTimeline(page.items);
        for (const [runId, threadId] of Object.entries(page.threads)) threads.runs.set(runId, threadId);
        set({ timelineItems: page.items, hasOlder: page.hasMore, timelineStatus: 'ready', olderError: null });
        return page.head;
      } catch (err) {
        set({ timelineStatus: 'error', timelineError: `The timeline could not be loaded: ${describeError(err)}` });
        throw err;
      }
    },

    async loadOlder() {
      const { timelineItems, hasOlder, loadingOlder, timelineStatus } = get();
      if (!hasOlder || loadingOlder || timelineStatus !== 'ready' || timelineItems.length === 0) return;
      set({ loadingOlder: true, olderError: null });
      try {
        const page = await client.call('timeline.list', { beforeSeq: timelineItems[0].seq, limit: TIMELINE_PAGE_SIZE });
        // Items may have changed while the page was in flight; merge against the current list.
        const current = get().timelineItems;
        const older = page.items.filter((item) => !index.has(item.id) && item.seq < (current[0]?.seq ?? Infinity));
        const merged = [...older, ...current];
        index = indexTimeline(merged);
        set({ timelineItems: merged, hasOlder: page.hasMore, loadingOlder: false });
      } catch (err) {
        set({ loadingOlder: false, olderError: `Older messages could not be loaded: ${describeError(err)}` });
      }
    },

    applyTimelineEvents(events) {
      let items = get().timelineItems;
      const before = items;
      for (const event of events) items = applyTimelineEvent(items, index, event, threads);
      if (items !== before) set({ timelineItems: items });
    },
  };
};
