/** Memory: a store with full-text and vector indexes, hybrid search, dedup, and the agent's use of it. */
export { MemoryService, type MemoryServiceDeps, type AddInput, type AddOutcome } from './service.js';
export { createMemoryProjector, MemoryQueries } from './store.js';
export { createMemoryEmbedder, createOfflineEmbedder, createOllamaEmbedder, OFFLINE_DIMS, type Embedder } from './embedder.js';
export { createOpenAIEmbedder } from './openai-embedder.js';
export { DEFAULT_PROFILE, bruteForceTopK, hybridSearch, type WeightProfile } from './search.js';
export { normalizeForDedup } from './text.js';
export { parseMemoryJsonl } from './jsonl.js';
export { createMemoryHandlers } from './handlers.js';
export { MemoryProposals, createProposalProjector } from './proposals.js';
export { createMemoryTools } from './tools.js';
export { MemoryExtraction, collectText, parseExtraction, type Complete } from './extraction.js';
export { Consolidator, withoutPreamble } from './consolidation.js';
export { VectorIndex } from './vector-index.js';
export { LexicalIndex, weightedSenses } from './lexical.js';
export { prepareWordNet } from './wordnet.js';
export { addLexiconCacheDir } from './lexicon/index.js';
export { searchWithoutCore } from './reader.js';
export { createMemoryModule, type MemoryModule, type MemoryModuleDeps } from './module.js';
