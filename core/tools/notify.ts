import { z } from 'zod';
import { ToolError, defineTool } from './types.js';

/** Shows a notification: natively in the desktop app, otherwise in the open browser windows. */
export const notifyTool = defineTool({
  name: 'notify',
  description: 'Show the user a desktop notification (short title and body).',
  args: z.object({ title: z.string().min(1).max(120), body: z.string().max(1000).default('') }),
  capability: 'notify',
  resource: (args) => args.title,
  summarize: (args) => `notify "${args.title}"`,
  async run(args, ctx) {
    if (!ctx.notifier) throw new ToolError('unavailable', 'no window is open to show it (open the app or its browser page)');
    await ctx.notifier.notify({ title: args.title, body: args.body, runId: ctx.runId });
    return { text: 'notification shown' };
  },
});
