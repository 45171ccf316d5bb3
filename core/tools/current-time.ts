import { z } from 'zod';
import { defineTool } from './types.js';

/** The current date and time from the injected clock, in the user's zone and in UTC. */
export const currentTimeTool = defineTool({
  name: 'current_time',
  description: 'The current date and time (local zone and UTC).',
  args: z.object({}),
  capability: null,
  resource: () => 'clock',
  async run(_args, ctx) {
    const now = ctx.clock.now();
    const local = new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeStyle: 'long', timeZone: ctx.timeZone }).format(new Date(now));
    return { text: `${local} (${ctx.timeZone}); UTC ${new Date(now).toISOString()}`, data: { epochMs: now } };
  },
});
