import type { TimelineItem } from '../../../contract/index.js';
import { intFlag } from '../args.js';
import { timelineLine } from '../format.js';
import { EXIT, type CommandGroup } from '../types.js';

const PAGE = 500;

export const timelineGroup: CommandGroup = {
  name: 'timeline',
  summary: 'The master timeline: messages, results of schedules and workers, run outcomes and errors.',
  commands: [
    {
      name: 'timeline',
      summary: 'Print the master timeline (the newest items, or every item after a seq)',
      options: {
        since: { type: 'string', value: 'SEQ', description: 'every item added after event SEQ (use the head printed last time)' },
        limit: { type: 'string', value: 'N', description: 'at most N items (default: 50 newest; with --since, all)' },
        thread: { type: 'string', value: 'THREAD', description: 'another thread than the chat\'s: a schedule\'s (schedule:ID) or a run\'s transcript (worker:RUN), as a result names it' },
      },
      async run(ctx) {
        const since = intFlag(ctx.flags, 'since');
        const limit = intFlag(ctx.flags, 'limit');
        const threadId = typeof ctx.flags.thread === 'string' ? ctx.flags.thread : undefined;
        const thread = threadId ? { threadId } : {};
        const client = await ctx.connect();
        let items: TimelineItem[];
        let head: number;
        if (since === undefined) {
          const page = await client.call('timeline.list', { ...thread, limit: Math.max(1, Math.min(limit ?? 50, 20_000)) });
          items = page.items;
          head = page.head;
        } else {
          // Pages run backwards from the head; stop at the first page that reaches back to `since`.
          const first = await client.call('timeline.list', { ...thread, limit: PAGE });
          head = first.head;
          items = first.items;
          let page = first;
          while (page.hasMore && items.length && items[0].seq > since) {
            page = await client.call('timeline.list', { ...thread, beforeSeq: items[0].seq, limit: PAGE });
            items = [...page.items, ...items];
          }
          items = items.filter((item) => item.seq > since);
          if (limit !== undefined) items = items.slice(0, limit);
        }
        if (ctx.json) {
          ctx.io.stdout(`${JSON.stringify({ items, head })}\n`);
        } else {
          for (const item of items) ctx.io.stdout(`${timelineLine(item)}\n`);
          ctx.io.stderr(`head ${head}\n`);
        }
        return EXIT.ok;
      },
    },
  ],
};
