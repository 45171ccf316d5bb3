import { readdir } from 'node:fs/promises';
import { z } from 'zod';
import { PathSchema } from '../contract/index.js';
import { absoluteFor, resolveInsideRoots } from './paths.js';
import { defineTool } from './types.js';

const MAX_ENTRIES = 500;

/** Lists a folder: one entry a line, folders with a trailing slash, sorted by name. */
export const listDirTool = defineTool({
  name: 'list_dir',
  description: 'List the files and folders in a folder (folders end with /).',
  args: z.object({ path: PathSchema.default('.').describe('folder to list') }),
  capability: 'fs.read',
  resource: (args, ctx) => absoluteFor(args.path, ctx),
  summarize: (args) => `list ${args.path}`,
  async run(args, ctx) {
    const path = resolveInsideRoots(ctx.approved ?? args.path, ctx);
    const entries = (await readdir(path, { withFileTypes: true }))
      .map((e) => (e.isDirectory() ? `${e.name}/` : e.name))
      .sort();
    const shown = entries.slice(0, MAX_ENTRIES);
    const more = entries.length > MAX_ENTRIES ? `\n[${entries.length - MAX_ENTRIES} more not shown]` : '';
    return { text: (shown.join('\n') || '(empty folder)') + more, data: { path, count: entries.length } };
  },
});
