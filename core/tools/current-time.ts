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
    const local = formatterFor(ctx.timeZone).format(new Date(now));
    return { text: `${local} (${ctx.timeZone}); UTC ${new Date(now).toISOString()}`, data: { epochMs: now } };
  },
});

// Building a formatter costs more than the rest of a loop turn; a zone's formatter never changes.
const formatters = new Map<string, Intl.DateTimeFormat>();
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', { dateStyle: 'full', timeStyle: 'long', timeZone });
    formatters.set(timeZone, f);
  }
  return f;
}
