import type { ComponentType } from 'react';
import { ChatIcon, ClockIcon, GearIcon, MemoryIcon, PlugIcon, ShieldIcon, WorkersIcon } from './components/icons.js';
import { ChatView } from './views/ChatView.js';
import { MemoryPane } from './views/MemoryPane.js';
import { PermissionsPane } from './views/PermissionsPane.js';
import { SchedulesPane } from './views/SchedulesPane.js';
import { SettingsPane } from './views/SettingsPane.js';
import { ToolsPane } from './views/ToolsPane.js';
import { WorkersBadge, WorkersPane } from './views/WorkersPane.js';

/**
 * One pane of the navigation: the sidebar shows its icon and label, the narrow rail its icon with the
 * label as its name. A capability adds a view file and one entry here.
 */
export interface Pane {
  id: string;
  label: string;
  Icon: ComponentType;
  View: ComponentType;
  /** A small count beside the label (active workers), or nothing. */
  Badge?: ComponentType;
}

export const PANES: readonly Pane[] = [
  { id: 'chat', label: 'Chat', Icon: ChatIcon, View: ChatView },
  { id: 'schedules', label: 'Schedules', Icon: ClockIcon, View: SchedulesPane },
  { id: 'workers', label: 'Workers', Icon: WorkersIcon, View: WorkersPane, Badge: WorkersBadge },
  { id: 'memory', label: 'Memory', Icon: MemoryIcon, View: MemoryPane },
  { id: 'permissions', label: 'Permissions', Icon: ShieldIcon, View: PermissionsPane },
  { id: 'tools', label: 'Tools', Icon: PlugIcon, View: ToolsPane },
  { id: 'settings', label: 'Settings', Icon: GearIcon, View: SettingsPane },
];
