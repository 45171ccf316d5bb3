import type { StoreApi } from 'zustand/vanilla';
import type { AppEvent, Client } from '../../core/contract/index.js';
import type { ConnectionSlice } from './connection.js';
import type { MemorySlice } from './memory.js';
import type { ModelsSlice } from './models.js';
import type { NotificationsSlice } from './notifications.js';
import type { PermissionsSlice } from './permissions.js';
import type { RunsSlice } from './runs.js';
import type { SchedulesSlice } from './schedules.js';
import type { SettingsSlice } from './settings.js';
import type { ThreadSlice } from './thread.js';
import type { TimelineSlice } from './timeline.js';
import type { ToolsSlice } from './tools.js';
import type { UiSlice } from './ui.js';
import type { WorkersSlice } from './workers.js';

/** The whole renderer state: every slice merged. Components select single fields, never all of it. */
export type AppState = ConnectionSlice & TimelineSlice & ThreadSlice & RunsSlice & MemorySlice & PermissionsSlice & SettingsSlice & ModelsSlice & NotificationsSlice & SchedulesSlice & ToolsSlice & UiSlice & WorkersSlice;

export type SetState = StoreApi<AppState>['setState'];
export type GetState = StoreApi<AppState>['getState'];

/** Builds one slice; `client` is how it talks to core. */
export type SliceCreator<T> = (set: SetState, get: GetState, client: Client) => T;

/** Applies a batch of pushed events, oldest first, to one slice. */
export type EventApplier = (state: AppState, events: readonly AppEvent[]) => void;
