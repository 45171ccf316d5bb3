import type { Run } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import type { CapabilityModule } from '../modules/index.js';
import { TimelineQueries, createTimelineProjector } from './projection.js';
import { createResultPoster, type ResultBoard } from './results.js';

export interface TimelineModule extends CapabilityModule {
  readonly timeline: TimelineQueries;
  /** Where schedules and workers say which of their runs post a result into the chat when they end. */
  readonly results: ResultBoard;
}

export interface TimelineModuleDeps {
  db: WritableDB;
  log: EventLog;
  onRecover: (step: (runId: string) => void) => void;
  runs: {
    threadOf(runId: string): string;
    unfinished(): Run[];
    /** Registers a step in the transaction that ends a run (there its result is posted). */
    onEnded(step: (run: Run) => void): void;
  };
}

/** The timeline: its projection by thread, its pages, results posted into the chat, and closing messages a crash left streaming. */
export function createTimelineModule(deps: TimelineModuleDeps): TimelineModule {
  const timeline = new TimelineQueries(deps.db);
  const { log } = deps;
  const results = createResultPoster(deps.db, log);
  deps.runs.onEnded((run) => results.post(run));
  deps.onRecover((runId) => {
    for (const message of timeline.streamingMessages(runId)) {
      log.append('message.completed', { messageId: message.id, text: message.text, status: 'interrupted', model: null }, runId);
    }
  });
  return {
    name: 'timeline',
    timeline,
    results: { describe: (kind, describer) => results.describe(kind, describer) },
    projectors: [createTimelineProjector(deps.db, (runId) => deps.runs.threadOf(runId))],
    handlers: {
      'timeline.search': ({ query, beforeSeq, limit, threadId }) => timeline.search(query, beforeSeq ?? Number.MAX_SAFE_INTEGER, limit, threadId),
      'timeline.list': ({ beforeSeq, limit, threadId }) => {
        const head = log.head();
        const page = timeline.list(beforeSeq ?? head + 1, limit, threadId);
        return { ...page, head, threads: Object.fromEntries(deps.runs.unfinished().map((run) => [run.id, run.threadId])) };
      },
    },
  };
}
