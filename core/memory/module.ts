import type { EmbedderConfig, HealthCheck, Run } from '../contract/index.js';
import type { RunQueue } from '../runs/index.js';
import type { TimelineQueries } from '../timeline/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import type { CapabilityModule } from '../modules/index.js';
import type { Clock, Ids, Logger } from '../util/index.js';
import { Consolidator } from './consolidation.js';
import { createMemoryEmbedder } from './embedder.js';
import { MemoryExtraction, type Complete } from './extraction.js';
import { createMemoryHandlers } from './handlers.js';
import { MemoryProposals, createProposalProjector } from './proposals.js';
import { removeSearchCache } from './search-cache.js';
import { MemoryService } from './service.js';
import { createMemoryProjector } from './store.js';
import { createMemoryTools } from './tools.js';
import { addLexiconCacheDir } from './lexicon/index.js';
import { wordVectorsProblem } from './vectors/index.js';
import type { RecallForPrompt } from '../agent/index.js';
import { endpointConfig, type ProviderSettings } from '../providers/index.js';

export interface MemoryModuleDeps {
  db: WritableDB;
  log: EventLog;
  clock: Clock;
  ids: Ids;
  logger: Logger;
  /** Where Ollama and OpenAI-compatible endpoints answer, for an embedder of theirs. */
  providerSettings: () => ProviderSettings;
  /** The data folder's cache folder (the compact WordNet index when node_modules has no room). */
  cacheDir: string;
  /** Asks the memory model one question inside a run (extraction). */
  complete: Complete;
  /** The runs extraction reads (a finished chat turn's) and the queue its own runs go through. */
  runs: { get(runId: string): Run };
  queue: Pick<RunQueue, 'enqueue'>;
  /** A finished chat turn's messages. */
  timeline: Pick<TimelineQueries, 'runMessages'>;
  /** Gives the agent what memory recalls for a prompt. */
  setRecall: (recall: RecallForPrompt) => void;
  /** Masks keys in text a person pastes into a memory. */
  redact: (text: string) => string;
  /**
   * Loads the embedder's data (WordNet) in the background after start, so the first memory write
   * does not wait for it: for the app and the host, not for a short-lived command.
   */
  prepareEmbedder?: boolean;
}

export interface MemoryModule extends CapabilityModule {
  readonly memory: MemoryService;
  readonly proposals: MemoryProposals;
  /** The offline embedder's word vectors: there, or missing (a warning: it answers without them). */
  healthChecks(): HealthCheck[];
}

/** Memory: the store and its indexes, search, proposals after runs, consolidation, and the agent's memory tools. */
export function createMemoryModule(deps: MemoryModuleDeps): MemoryModule {
  const { db, log, clock, ids, logger } = deps;
  addLexiconCacheDir(deps.cacheDir);
  const memory = new MemoryService({ db, log, clock, ids, logger, answerBeforeWordNet: deps.prepareEmbedder === true, reembedBeforeSearch: deps.prepareEmbedder !== true, makeEmbedder: (config: EmbedderConfig) =>
      createMemoryEmbedder(config, deps.providerSettings().ollama.host, (name) => {
        const endpoint = deps.providerSettings().endpoints[name];
        return endpoint ? endpointConfig(name, endpoint) : null;
      }),
  });
  const proposals = new MemoryProposals(db, log, ids, memory);
  const consolidator = new Consolidator({ memory, clock, logger });
  // After a chat run, a memory run asks the memory model what to remember (when the user turned it on).
  const extraction = new MemoryExtraction({ runs: deps.runs, queue: deps.queue, timeline: deps.timeline, proposals, enabled: () => memory.extractAfterRuns(), complete: deps.complete });
  deps.setRecall((query, budget) => memory.recallForPrompt(query, budget));
  let unsubscribe: (() => void) | null = null;
  let preparing: ReturnType<typeof setTimeout> | null = null;
  return {
    name: 'memory',
    memory,
    proposals,
    projectors: [createMemoryProjector(db), createProposalProjector(db)],
    tools: createMemoryTools(memory),
    healthChecks: () => {
      const checks: HealthCheck[] = [];
      const failed = memory.reembedFailure();
      if (failed) checks.push({ name: 'memory re-embedding', status: 'warn', detail: `re-embedding with ${failed.embedder} failed: ${failed.error}; search uses the previous index (the next start tries again)` });
      if (memory.embedderConfig().kind !== 'offline') return checks;
      const problem = wordVectorsProblem();
      checks.push(problem ? { name: 'memory word vectors', status: 'warn', detail: problem } : { name: 'memory word vectors', status: 'ok', detail: `offline embedder ${memory.status().embedder} with word vectors` });
      return checks;
    },
    handlers: createMemoryHandlers(memory, proposals, consolidator, deps.redact),
    start() {
      // A command-line search that read the memories before this core held the folder may have left
      // a cached index (or half of one) with words this core is about to forget: none is trusted.
      removeSearchCache(deps.cacheDir);
      memory.start();
      unsubscribe = log.subscribe(log.head(), (event) => {
        extraction.observe(event);
        // The command line's cached full-text index holds the memories' words: none of a forgotten or rewritten memory may stay.
        if (event.type === 'memory.forgotten' || event.type === 'memory.updated') removeSearchCache(deps.cacheDir);
      });
      consolidator.start();
      // After the start has answered: a window or command connecting now is not kept waiting.
      if (deps.prepareEmbedder) preparing = setTimeout(() => void memory.prepare(), 0);
    },
    async stop() {
      if (preparing) clearTimeout(preparing);
      unsubscribe?.();
      await consolidator.stop();
      await memory.close();
    },
  };
}
