import { createStore, type StoreApi } from 'zustand/vanilla';
import type { AppEvent, Client } from '../../core/contract/index.js';
import { createConnectionSlice } from './connection.js';
import { createMemorySlice } from './memory.js';
import { createModelsSlice } from './models.js';
import { createNotificationsSlice } from './notifications.js';
import { createPermissionsSlice } from './permissions.js';
import { createRunsSlice } from './runs.js';
import { createSchedulesSlice } from './schedules.js';
import { createSettingsSlice } from './settings.js';
import { createThreadSlice } from './thread.js';
import { createTimelineSlice } from './timeline.js';
import { createToolsSlice } from './tools.js';
import type { AppState, EventApplier } from './types.js';
import { createUiSlice } from './ui.js';
import { createWorkersSlice } from './workers.js';

export type { AppState } from './types.js';
export { currentChatRun, type ActiveRun } from './runs.js';
export { TIMELINE_PAGE_SIZE } from './timeline.js';
export { THREAD_PAGE_SIZE, type OpenThread } from './thread.js';
export { announceNotifications, type Toast } from './notifications.js';
export { activeWorkerCount, type OpenWorker } from './workers.js';

/** Every slice that follows pushed events; a new slice adds its applier here. */
const EVENT_APPLIERS: EventApplier[] = [
  (state, events) => state.applyTimelineEvents(events),
  // After the master timeline, which learns the thread of each new run first.
  (state, events) => state.applyThreadEvents(events),
  (state, events) => state.applyRunEvents(events),
  (state, events) => state.applyMemoryEvents(events),
  (state, events) => state.applyPermissionEvents(events),
  (state, events) => state.applySettingsEvents(events),
  (state, events) => state.applyModelEvents(events),
  (state, events) => state.applyNotificationEvents(events),
  (state, events) => state.applyScheduleEvents(events),
  (state, events) => state.applyToolsEvents(events),
  (state, events) => state.applyWorkerEvents(events),
];

export type AppStore = StoreApi<AppState>;

/** The longest pushed events wait to be applied when the window draws no frame. */
const EVENT_BATCH_MS = 50;

/** The renderer's one store, built from its slices. */
export function createAppStore(client: Client): AppStore {
  return createStore<AppState>()((set, get) => ({
    ...createConnectionSlice(set, get, client),
    ...createTimelineSlice(set, get, client),
    ...createThreadSlice(set, get, client),
    ...createRunsSlice(set, get, client),
    ...createMemorySlice(set, get, client),
    ...createPermissionsSlice(set, get, client),
    ...createSettingsSlice(set, get, client),
    ...createModelsSlice(set, get, client),
    ...createNotificationsSlice(set, get, client),
    ...createSchedulesSlice(set, get, client),
    ...createToolsSlice(set, get, client),
    ...createUiSlice(set, get, client),
    ...createWorkersSlice(set, get, client),
  }));
}

/**
 * Loads what the window shows and follows the event log from the seq that state reflects. The client
 * resubscribes from the last seq it delivered after a drop, so nothing is missed or applied twice.
 * Resolves once loaded; rejects (with the error shown in the timeline) when loading failed.
 */
export async function startAppStore(store: AppStore, client: Client): Promise<() => void> {
  const head = await store.getState().loadTimeline();
  // Loaded after the timeline, so each reflects at least `head`; replaying later events onto them is
  // harmless. A loader reports its own failure in its slice; none may stop the window following the log.
  const state = store.getState();
  await Promise.allSettled([state.loadActiveRuns(), state.loadPendingPermissions(), state.loadWorkers()]);
  // Events arrive one socket message at a time; they are applied once per frame (before it is
  // drawn), so a streaming reply whose deltas bunch up on a busy machine updates the store, renders
  // and lays out once a frame rather than once a message. A window that draws no frames still
  // applies them within EVENT_BATCH_MS; a hidden one (a minimised window, a background tab) applies
  // each at once, since the browser slows its timers to about one a second and what notifies must
  // not wait for them.
  let pending: AppEvent[] = [];
  let frame: number | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const flush = () => {
    if (frame !== null) cancelAnimationFrame(frame);
    if (timer !== null) clearTimeout(timer);
    frame = timer = null;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    const state = store.getState();
    for (const apply of EVENT_APPLIERS) apply(state, batch);
  };
  const unsubscribe = client.subscribe(head, (event) => {
    if (typeof document !== 'undefined' && document.hidden) {
      pending.push(event);
      flush();
      return;
    }
    if (pending.length === 0) {
      frame = typeof requestAnimationFrame === 'function' ? requestAnimationFrame(flush) : null;
      timer = setTimeout(flush, EVENT_BATCH_MS);
    }
    pending.push(event);
  });
  return () => {
    unsubscribe();
    flush();
  };
}
