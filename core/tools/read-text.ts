import { open } from 'node:fs/promises';
import { z } from 'zod';
import { PathSchema } from '../contract/index.js';
import { absoluteFor, resolveInsideRoots } from './paths.js';
import { ToolError, defineTool } from './types.js';

const MAX_BYTES = 256 * 1024;

/** Reads a text file inside the allowed folders, up to a size cap. */
export const readTextTool = defineTool({
  name: 'read_text',
  description: 'Read a UTF-8 text file. Paths are relative to the working folder unless absolute.',
  args: z.object({
    path: PathSchema.describe('file to read'),
    maxBytes: z.number().int().min(1).max(MAX_BYTES).optional().describe('read at most this many bytes'),
  }),
  capability: 'fs.read',
  resource: (args, ctx) => absoluteFor(args.path, ctx),
  summarize: (args) => `read ${args.path}`,
  async run(args, ctx) {
    const path = resolveInsideRoots(ctx.approved ?? args.path, ctx);
    const limit = args.maxBytes ?? MAX_BYTES;
    const handle = await open(path, 'r');
    try {
      const stat = await handle.stat();
      if (stat.isDirectory()) throw new ToolError('invalid_args', `${path} is a folder; use list_dir`);
      const buffer = Buffer.alloc(Math.min(limit, stat.size));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
      const text = buffer.subarray(0, bytesRead).toString('utf8');
      const truncated = stat.size > bytesRead;
      return { text: truncated ? `${text}\n[truncated: ${stat.size} bytes in all]` : text, data: { path, bytes: stat.size, truncated } };
    } finally {
      await handle.close();
    }
  },
});
