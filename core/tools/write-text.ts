import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { PathSchema } from '../contract/index.js';
import { absoluteFor, resolveInsideRoots } from './paths.js';
import { defineTool } from './types.js';

/** Writes a text file atomically: a temp file beside it, then a rename, so a reader never sees half. */
export const writeTextTool = defineTool({
  name: 'write_text',
  description: 'Write (create or replace) a UTF-8 text file. Parent folders are created.',
  args: z.object({
    path: PathSchema.describe('file to write'),
    text: z.string().max(5_000_000).describe('the whole new content'),
  }),
  capability: 'fs.write',
  resource: (args, ctx) => absoluteFor(args.path, ctx),
  summarize: (args) => `write ${args.text.length} characters to ${args.path}`,
  content: (args) => args.text,
  async run(args, ctx) {
    const path = resolveInsideRoots(ctx.approved ?? args.path, ctx);
    await mkdir(dirname(path), { recursive: true });
    const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await writeFile(tmp, args.text, { encoding: 'utf8', signal: ctx.signal });
      await rename(tmp, path);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    return { text: `wrote ${Buffer.byteLength(args.text)} bytes to ${path}`, data: { path } };
  },
});
