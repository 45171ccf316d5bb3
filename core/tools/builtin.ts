/** The built-in tools, one file each. */
import { currentTimeTool } from './current-time.js';
import { httpGetTool } from './http-get.js';
import { listDirTool } from './list-dir.js';
import { notifyTool } from './notify.js';
import { readTextTool } from './read-text.js';
import { runCommandTool } from './run-command.js';
import { searchFilesTool } from './search-files.js';
import type { AnyTool } from './types.js';
import { writeTextTool } from './write-text.js';

export { currentTimeTool, httpGetTool, listDirTool, notifyTool, readTextTool, runCommandTool, searchFilesTool, writeTextTool };

/** Every built-in tool, in the order the model sees them. */
export const BUILTIN_TOOLS: readonly AnyTool[] = [
  readTextTool,
  writeTextTool,
  listDirTool,
  searchFilesTool,
  httpGetTool,
  runCommandTool,
  notifyTool,
  currentTimeTool,
];
