import { applyTimelineEvent, indexTimeline, type AppEvent, type TimelineItem } from '../../core/contract/index.js';
import { describeError } from './errors.js';
import type { SliceCreator } from './types.js';

/** How many items of a thread one page holds. */
export const THREAD_PAGE_SIZE = 200;

/** A thread opened on its own (a schedule's runs, a run's transcript), beside the master timeline. */
export interface OpenThread {
  threadId: string;
  /** What the view is called: the schedule's name, the worker's role and task. */
  title: string;
  /** The run the view was opened for: its items are brought into view. */
  runId: string | null;
  items: TimelineItem[];
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  hasOlder: boolean;
}

export interface ThreadSlice {
  openThread: OpenThread | null;
  /** Opens a thread's whole transcript in its own view (the master timeline shows only its result). */
  showThread(threadId: string, title: string, runId?: string | null): Promise<void>;
  loadOlderOfThread(): Promise<void>;
  closeThread(): void;
  applyThreadEvents(events: readonly AppEvent[]): void;
  /** The result item the next message replies to (its result then enters the chat's context), and what it is called. */
  replyTo: { itemId: string; name: string } | null;
  setReplyTo(target: { itemId: string; name: string } | null): void;
}

export const createThreadSlice: SliceCreator<ThreadSlice> = (set, get, client) => {
  let index = new Map<string, number>();
  // Events that arrive while a page loads are applied to it when it is in, so nothing is lost between.
  let pending: AppEvent[] = [];
  let loadingThread: string | null = null;

  const threadsView = (threadId: string) => ({ view: threadId, runs: get().runThreads });

  return {
    openThread: null,
    replyTo: null,

    setReplyTo(target) {
      set({ replyTo: target });
    },

    async showThread(threadId, title, runId = null) {
      loadingThread = threadId;
      pending = [];
      index = new Map();
      set({ openThread: { threadId, title, runId, items: [], status: 'loading', error: null, hasOlder: false } });
      try {
        const page = await client.call('timeline.list', { threadId, limit: THREAD_PAGE_SIZE });
        if (get().openThread?.threadId !== threadId || loadingThread !== threadId) return;
        loadingThread = null;
        for (const [run, thread] of Object.entries(page.threads)) get().runThreads.set(run, thread);
        index = indexTimeline(page.items);
        let items = page.items;
        const threads = threadsView(threadId);
        for (const event of pending) if (event.seq > page.head) items = applyTimelineEvent(items, index, event, threads);
        pending = [];
        set({ openThread: { threadId, title, runId, items, status: 'ready', error: null, hasOlder: page.hasMore } });
      } catch (err) {
        if (get().openThread?.threadId !== threadId) return;
        loadingThread = null;
        set({ openThread: { threadId, title, runId, items: [], status: 'error', error: `This transcript could not be loaded: ${describeError(err)}`, hasOlder: false } });
      }
    },

    async loadOlderOfThread() {
      const open = get().openThread;
      if (!open || open.status !== 'ready' || !open.hasOlder || !open.items.length) return;
      try {
        const page = await client.call('timeline.list', { threadId: open.threadId, beforeSeq: open.items[0].seq, limit: THREAD_PAGE_SIZE });
        const current = get().openThread;
        if (current?.threadId !== open.threadId) return;
        const older = page.items.filter((item) => !index.has(item.id) && item.seq < (current.items[0]?.seq ?? Infinity));
        const items = [...older, ...current.items];
        index = indexTimeline(items);
        set({ openThread: { ...current, items, hasOlder: page.hasMore } });
      } catch (err) {
        const current = get().openThread;
        if (current?.threadId === open.threadId) set({ openThread: { ...current, error: `Older entries could not be loaded: ${describeError(err)}` } });
      }
    },

    closeThread() {
      loadingThread = null;
      pending = [];
      set({ openThread: null });
    },

    applyThreadEvents(events) {
      const open = get().openThread;
      if (!open) return;
      if (open.status === 'loading') {
        pending.push(...events);
        return;
      }
      if (open.status !== 'ready') return;
      let items = open.items;
      const threads = threadsView(open.threadId);
      for (const event of events) items = applyTimelineEvent(items, index, event, threads);
      if (items !== open.items) set({ openThread: { ...open, items } });
    },
  };
};
