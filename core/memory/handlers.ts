import type { Handlers } from '../gateway/index.js';
import { maskingPastedKeys } from '../secrets/index.js';
import type { Consolidator } from './consolidation.js';
import type { MemoryProposals } from './proposals.js';
import type { MemoryService } from './service.js';

type MemoryHandlers = Pick<Handlers, Extract<keyof Handlers, `memory.${string}`>>;

/** The memory commands, for the composition root to merge into the gateway's handlers. */
export function createMemoryHandlers(memory: MemoryService, proposals: MemoryProposals, consolidator: Consolidator, redact: (text: string) => string = (t) => t): MemoryHandlers {
  return {
    // A key pasted into a memory is stored masked, with a notice in the reply.
    'memory.add': maskingPastedKeys((args) => memory.add(args), redact),
    'memory.import': ({ jsonl, firstLine }) => memory.importJsonl(jsonl, firstLine),
    'memory.export': () => memory.exportJsonl(),
    'memory.search': ({ query, limit, area, pinned }) => memory.search(query, { limit, area, pinned }),
    'memory.list': ({ area, pinned, limit, offset }) => memory.list({ area, pinned }, limit, offset),
    'memory.get': ({ id }) => memory.get(id),
    'memory.update': ({ id, text, area }) => memory.update(id, { text, area }),
    'memory.pin': ({ id, pinned }) => memory.pin(id, pinned),
    'memory.forget': ({ ids }) => ({ forgotten: memory.forget(ids) }),
    'memory.status': () => memory.status(),
    'memory.configure': (patch) => memory.configure(patch),
    'memory.consolidate': () => consolidator.consolidate(),
    'memory.proposals': ({ status }) => ({ proposals: proposals.list(status) }),
    'memory.resolveProposal': ({ proposalId, action, text }) => proposals.resolve(proposalId, action, text),
  };
}
