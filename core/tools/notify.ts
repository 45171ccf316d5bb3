import { z } from 'zod';
import { ToolError, defineTool } from './types.js';

/** Shows a native notification through the client that provides them. */
export const notifyTool = defineTool({
  name: 'notify',
  description: 'Show the user a desktop notification (short title and body).',
  args: z.object({ title: z.string().min(1).max(120), body: z.string().max(1000).default('') }),
  capability: 'notify',
  resource: (args) => args.title,
  summarize: (args) => `notify "${args.title}"`,
  async run(args, ctx) {
    if (!ctx.notifier) throw new ToolError('unavailable', 'no client that shows notifications is connected');
    await ctx.notifier.notify({ title: args.title, body: args.body, runId: ctx.runId });
    return { text: 'notification shown' };
  },
});
