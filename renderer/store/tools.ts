import type { AppEvent } from '../../core/contract/index.js';
import type { SliceCreator } from './types.js';

export interface ToolsSlice {
  /** Goes up with every MCP server or skill event, so the Tools pane knows to reload. */
  toolsVersion: number;
  applyToolsEvents(events: readonly AppEvent[]): void;
}

export const createToolsSlice: SliceCreator<ToolsSlice> = (set, get) => ({
  toolsVersion: 0,
  applyToolsEvents(events) {
    const touched = events.filter((e) => e.type.startsWith('mcp.') || e.type === 'skill.toggled' || e.type === 'skills.reloaded').length;
    if (touched) set({ toolsVersion: get().toolsVersion + touched });
  },
});
