import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import type { CapabilityModule } from '../modules/index.js';
import { TimelineQueries, createTimelineProjector } from './projection.js';

export interface TimelineModule extends CapabilityModule {
  readonly timeline: TimelineQueries;
}

/** The master timeline: its projection, its pages, and closing messages a crash left streaming. */
export function createTimelineModule(deps: { db: WritableDB; log: EventLog; onRecover: (step: (runId: string) => void) => void; threadOf?: (runId: string) => string }): TimelineModule {
  const timeline = new TimelineQueries(deps.db);
  const { log } = deps;
  deps.onRecover((runId) => {
    for (const message of timeline.streamingMessages(runId)) {
      log.append('message.completed', { messageId: message.id, text: message.text, status: 'interrupted', model: null }, runId);
    }
  });
  return {
    name: 'timeline',
    timeline,
    projectors: [createTimelineProjector(deps.db, deps.threadOf)],
    handlers: {
      'timeline.search': ({ query, beforeSeq, limit }) => timeline.search(query, beforeSeq ?? Number.MAX_SAFE_INTEGER, limit),
      'timeline.list': ({ beforeSeq, limit }) => {
        const head = log.head();
        const page = timeline.list(beforeSeq ?? head + 1, limit);
        return { ...page, head };
      },
    },
  };
}
