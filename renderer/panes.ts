import type { ComponentType } from 'react';
import { ChatView } from './views/ChatView.js';
import { MemoryPane } from './views/MemoryPane.js';
import { PermissionsPane } from './views/PermissionsPane.js';
import { SettingsPane } from './views/SettingsPane.js';

/** One pane of the left nav. A capability adds a view file and one entry here. */
export interface Pane {
  id: string;
  label: string;
  View: ComponentType;
}

export const PANES: readonly Pane[] = [
  { id: 'chat', label: 'Chat', View: ChatView },
  { id: 'memory', label: 'Memory', View: MemoryPane },
  { id: 'permissions', label: 'Permissions', View: PermissionsPane },
  { id: 'settings', label: 'Settings', View: SettingsPane },
];
