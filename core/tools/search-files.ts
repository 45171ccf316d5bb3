import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { PathSchema } from '../contract/index.js';
import { compilePathGlob } from '../permissions/index.js';
import { absoluteFor, resolveInsideRoots } from './paths.js';
import { ToolError, defineTool } from './types.js';

const MAX_MATCHES = 200;
const MAX_FILE_BYTES = 1024 * 1024;
const MAX_FILES = 5000;
const SKIP = new Set(['node_modules', '.git']);

/**
 * Finds lines containing a text (case-insensitive) in files under a folder, optionally by glob. The
 * walk never follows a link, and it enters a folder or reads a file only when a direct read of it
 * would be allowed without asking (`ctx.unreadable`): the app's data folder, files with other hard
 * links and whatever a deny or ask rule covers are skipped, and counted in the answer.
 */
export const searchFilesTool = defineTool({
  name: 'search_files',
  description: 'Search files under a folder for lines containing a text (case-insensitive); optional glob like "**/*.md".',
  args: z.object({
    path: PathSchema.default('.').describe('folder to search'),
    query: z.string().min(1).max(500).describe('text to find'),
    glob: z.string().max(200).optional().describe('only files matching this glob, relative to the folder'),
  }),
  capability: 'fs.read',
  resource: (args, ctx) => absoluteFor(args.path, ctx),
  summarize: (args) => `search ${args.path} for "${args.query}"`,
  async run(args, ctx) {
    const root = resolveInsideRoots(ctx.approved ?? args.path, ctx);
    if (!(await lstat(root)).isDirectory()) throw new ToolError('invalid_args', `${root} is not a folder`);
    // The bounded matcher: a glob the model writes must not be able to stall the app (a regex could backtrack for minutes).
    const glob = args.glob ? compilePathGlob(args.glob) : null;
    if (args.glob && !glob) throw new ToolError('invalid_args', 'the glob uses *, **, ?, [abc] and {a,b}; extended globs like !(x) are not supported');
    const match = (rel: string) => (glob ? glob(rel) === true : true);
    const needle = args.query.toLowerCase();
    const matches: string[] = [];
    let files = 0;
    let skipped = 0;
    const refused = (path: string) => {
      const why = ctx.unreadable?.(path) ?? null;
      if (why !== null) skipped++;
      return why !== null;
    };
    const walk = async (dir: string): Promise<void> => {
      for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
        if (ctx.signal.aborted) throw new ToolError('cancelled', 'the run was cancelled');
        if (matches.length >= MAX_MATCHES || files >= MAX_FILES) return;
        const full = join(dir, entry.name);
        // Dirent types come from lstat: a link is neither a folder nor a file here, so it is never followed.
        if (entry.isDirectory()) {
          if (!SKIP.has(entry.name) && !refused(full)) await walk(full);
          continue;
        }
        const rel = relative(root, full);
        if (!entry.isFile() || !match(rel)) continue;
        if (refused(full)) continue;
        files++;
        const stat = await lstat(full);
        // Checked again on the file as opened: it may have changed since the listing.
        if (!stat.isFile() || stat.nlink > 1 || stat.size > MAX_FILE_BYTES) continue;
        const lines = (await readFile(full, 'utf8')).split('\n');
        for (let i = 0; i < lines.length && matches.length < MAX_MATCHES; i++) {
          if (lines[i].toLowerCase().includes(needle)) matches.push(`${rel}:${i + 1}: ${lines[i].slice(0, 300)}`);
        }
      }
    };
    if (!refused(root)) await walk(root);
    const note = skipped ? `\n[${skipped} ${skipped === 1 ? 'entry' : 'entries'} skipped: the app's data folder, files with other hard links, or covered by a deny or ask rule]` : '';
    return { text: (matches.join('\n') || 'no matches') + note, data: { matches: matches.length, files, skipped } };
  },
});
