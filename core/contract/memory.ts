import { z } from 'zod';
import { ProviderNameSchema } from './settings.js';

const id = z.string().min(1).max(200);

/** Where a memory lives: facts and preferences, conversation snippets, problem → fix, how to use tools. */
export const MemoryAreaSchema = z.enum(['main', 'fragments', 'solutions', 'instruments']);
export type MemoryArea = z.infer<typeof MemoryAreaSchema>;

/** What a memory came from: a run and its message, the user, an import, or consolidation. */
export const MemorySourceSchema = z.object({
  kind: z.enum(['user', 'import', 'run', 'consolidation']),
  runId: z.string().nullable().default(null),
  messageId: z.string().nullable().default(null),
});
export type MemorySource = z.infer<typeof MemorySourceSchema>;

/** A remembered piece of text as clients see it. */
export const MemorySchema = z.object({
  id: z.string(),
  text: z.string(),
  area: MemoryAreaSchema,
  pinned: z.boolean(),
  createdAt: z.number(),
  updatedAt: z.number(),
  source: MemorySourceSchema,
  /** The embedder whose vector currently indexes this memory. */
  embedder: z.string(),
  /** An older memory this one replaces; search ranks this one above it. */
  supersedes: z.string().nullable(),
  /** Set when this memory looks like it contradicts another one, until the user decides. */
  conflictsWith: z.string().nullable(),
});
export type Memory = z.infer<typeof MemorySchema>;

/** One query word matched in a memory: by the same word, or a word WordNet or the top results relate to it. */
export const MemoryMatchSchema = z.object({
  /** The query's word. */
  query: z.string(),
  /** The memory's word that matched it. */
  word: z.string(),
  relation: z.enum(['word', 'synonym', 'narrower', 'broader', 'related', 'definition', 'feedback', 'similar', 'person', 'abbreviation']),
  /** How much the match counts, 1 for the same word. */
  weight: z.number(),
  /** For a `person` match (a name the query's relation word reaches: "son" → Archie), the memory that says who that is. */
  via: z.string().optional(),
  /** For a `person` match, the relation as the query writes it ("in-laws", "other half"), which `query` may name by one of its words. */
  asked: z.string().optional(),
});
export type MemoryMatch = z.infer<typeof MemoryMatchSchema>;

/** Why a result ranks where it does. Ranks are 1-based; null means the retriever did not find it. */
export const MemoryExplainSchema = z.object({
  /** Rank in the full-text list: BM25 over the query's words and the words related to them. */
  bm25Rank: z.number().nullable(),
  /** The query words this memory matched in the full-text list, and through which of its words. */
  matches: z.array(MemoryMatchSchema),
  vectorRank: z.number().nullable(),
  vectorSimilarity: z.number().nullable(),
  rrf: z.number(),
  recencyBoost: z.number(),
  pinBoost: z.number(),
  supersededPenalty: z.number(),
  /** Lifts a newer memory to the place of an older one about the same thing that it updates. */
  updateBoost: z.number(),
  /** A newer memory about the same thing that ranks above this one (the knowledge was updated). */
  replacedBy: z.string().nullable(),
  /** Why `replacedBy` is taken to update this memory, in words. */
  replacedBecause: z.string().nullable(),
  /**
   * An older memory about the same thing that this one updates and ranks above. A memory the query's
   * words do not find is brought in this way (no full-text or meaning rank) when it updates one they find.
   */
  replaces: z.string().nullable(),
});
export type MemoryExplain = z.infer<typeof MemoryExplainSchema>;

export const MemoryHitSchema = z.object({
  memory: MemorySchema,
  score: z.number(),
  explain: MemoryExplainSchema,
  /**
   * False when the memory answers too little of what the query asks (its words and their related
   * words, weighted by rarity and topic) and is not close in meaning, or, however close, does not
   * answer what a question of one clause asks for: the kind of value ("when", "how much"), the named
   * owner's thing, or the words that say which thing ("What's Dan's mobile number?" is not answered
   * by his licence number). Shown apart as a long shot and never put into the assistant's prompt.
   */
  confident: z.boolean(),
  /** Query terms (stemmed match) found in the text, as [start, end) character ranges, for highlighting. */
  highlights: z.array(z.tuple([z.number(), z.number()])),
});
export type MemoryHit = z.infer<typeof MemoryHitSchema>;

/**
 * Text put before each search query and each memory when an embedding model embeds them: models
 * trained with task prefixes (nomic-embed-text's `search_query: ` / `search_document: `) find less
 * without them. Both empty: plain text.
 */
export const TaskPrefixesSchema = z.object({ query: z.string().max(500), document: z.string().max(500) }).strict();
export type TaskPrefixes = z.infer<typeof TaskPrefixesSchema>;

/**
 * Which embedder indexes memories: the built-in offline one, an Ollama model, or an OpenAI-compatible
 * endpoint's model. A model's `prefixes`, when given, replace the ones known for its family.
 */
export const EmbedderConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('offline') }),
  z.object({ kind: z.literal('ollama'), model: z.string().min(1).max(200), prefixes: TaskPrefixesSchema.optional() }),
  /** `/v1/embeddings` of `openai` (default) or an endpoint added in Settings (`lmstudio`, …). */
  z.object({ kind: z.literal('openai'), provider: ProviderNameSchema.default('openai'), model: z.string().min(1).max(200), prefixes: TaskPrefixesSchema.optional() }),
]);
export type EmbedderConfig = z.infer<typeof EmbedderConfigSchema>;

/** What an embedder is called where people read it, and what more there is to say about it. */
export interface EmbedderDescription {
  /** "Built-in offline", "nomic-embed-text (Ollama)", "text-embedding-3-small (OpenAI)". */
  label: string;
  /** "with task prefixes" for a model given them, "without word vectors" for the offline embedder missing them; else null. */
  detail: string | null;
}

const PROVIDER_LABELS: Record<string, string> = { ollama: 'Ollama', openai: 'OpenAI' };

/**
 * An embedder's stored name (`offline-v4-360`, `ollama:nomic-embed-text+prefixes:5b0e…`,
 * `lmstudio:text-embedding-bge`) read as what it is. A name of no known form is shown as it is.
 */
export function describeEmbedder(name: string): EmbedderDescription {
  const at = name.lastIndexOf('+prefixes:');
  const base = at >= 0 ? name.slice(0, at) : name;
  const offline = /^offline-v(\d+)-\d+$/.exec(base);
  // Version 2 is the offline embedder run without its word-vector file.
  if (offline) return { label: 'Built-in offline', detail: offline[1] === '2' ? 'without word vectors' : null };
  const colon = base.indexOf(':');
  if (colon <= 0 || colon === base.length - 1) return { label: name, detail: null };
  const provider = base.slice(0, colon);
  return { label: `${base.slice(colon + 1)} (${PROVIDER_LABELS[provider] ?? provider})`, detail: at >= 0 ? 'with task prefixes' : null };
}

export const MemoryStatusSchema = z.object({
  total: z.number(),
  byArea: z.record(z.string(), z.number()),
  pinned: z.number(),
  conflicts: z.number(),
  embedder: z.string(),
  /** A background re-embedding in progress; search keeps using the previous index until it ends. */
  reembed: z.object({ embedder: z.string(), done: z.number(), total: z.number() }).nullable(),
  autoAcceptProposals: z.boolean(),
  /** Whether the memory model is asked after each chat run what to remember (off by default: it costs a model call). */
  extractAfterRuns: z.boolean(),
});
export type MemoryStatus = z.infer<typeof MemoryStatusSchema>;

export const MemoryProposalSchema = z.object({
  proposalId: z.string(),
  text: z.string(),
  area: MemoryAreaSchema,
  source: MemorySourceSchema,
  status: z.enum(['pending', 'accepted', 'rejected']),
  createdAt: z.number(),
  memoryId: z.string().nullable(),
});
export type MemoryProposal = z.infer<typeof MemoryProposalSchema>;

const memoryText = z.string().trim().min(1, 'a memory needs some text').max(20_000);

export const MEMORY_COMMANDS = {
  /** Adds a memory. An exact duplicate is not inserted again; a near duplicate is merged into the existing one. */
  'memory.add': () => ({
    args: z
      .object({
        text: memoryText,
        area: MemoryAreaSchema.default('main'),
        pinned: z.boolean().default(false),
        createdAt: z.number().int().min(0).optional(),
        source: MemorySourceSchema.optional(),
      })
      .strict(),
    /** `notice`: set when a key in the text was stored masked. */
    result: z.object({ outcome: z.enum(['added', 'duplicate', 'merged']), memory: MemorySchema, conflictsWith: z.string().nullable(), notice: z.string().optional() }),
  }),
  /**
   * Imports JSONL (`{"text","area","created_at","pinned"?}` a line); bad lines are reported by number and
   * skipped. A file larger than a frame is sent in pieces of whole lines (`splitJsonl`), each with the
   * number of its first line in the file so errors name the file's lines.
   */
  'memory.import': () => ({
    args: z.object({ jsonl: z.string().max(200_000_000), firstLine: z.number().int().min(1).default(1) }).strict(),
    result: z.object({
      imported: z.number(),
      deduped: z.number(),
      merged: z.number(),
      errors: z.array(z.object({ line: z.number(), message: z.string() })),
    }),
  }),
  /** Every memory as JSONL, oldest first, in the import format (plus `updated_at`, `id`). */
  'memory.export': () => ({ args: z.object({}).strict(), result: z.object({ jsonl: z.string(), count: z.number() }) }),
  /** Hybrid search (BM25 + vector, fused, then recency, pin and supersede adjustments), best first. */
  'memory.search': () => ({
    args: z
      .object({
        query: z.string().trim().min(1, 'a search needs a query').max(2000),
        limit: z.number().int().min(1).max(200).default(10),
        area: MemoryAreaSchema.optional(),
        pinned: z.boolean().optional(),
      })
      .strict(),
    result: z.object({ hits: z.array(MemoryHitSchema), tookMs: z.number() }),
  }),
  /** Memories, newest first, optionally by area or pinned. */
  'memory.list': () => ({
    args: z
      .object({
        area: MemoryAreaSchema.optional(),
        pinned: z.boolean().optional(),
        limit: z.number().int().min(1).max(10_000).default(200),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
    result: z.object({ memories: z.array(MemorySchema), total: z.number() }),
  }),
  /** One memory. */
  'memory.get': () => ({ args: z.object({ id }).strict(), result: MemorySchema }),
  /** Corrects a memory's text or area (re-indexed at once); clears a contradiction flag. */
  'memory.update': () => ({
    args: z.object({ id, text: memoryText.optional(), area: MemoryAreaSchema.optional() }).strict(),
    result: MemorySchema,
  }),
  /** Pins or unpins a memory; pinned memories rank higher. */
  'memory.pin': () => ({ args: z.object({ id, pinned: z.boolean() }).strict(), result: MemorySchema }),
  /** Forgets memories: removed from the table, the text index and the vector index. */
  'memory.forget': () => ({ args: z.object({ ids: z.array(id).min(1).max(100_000) }).strict(), result: z.object({ forgotten: z.number() }) }),
  /** Counts, the embedder in use, re-embedding progress. */
  'memory.status': () => ({ args: z.object({}).strict(), result: MemoryStatusSchema }),
  /** Chooses the embedder and whether proposals from runs are accepted without asking. Changing the embedder re-embeds in the background. */
  'memory.configure': () => ({
    args: z.object({ embedder: EmbedderConfigSchema.optional(), autoAcceptProposals: z.boolean().optional(), extractAfterRuns: z.boolean().optional() }).strict(),
    result: MemoryStatusSchema,
  }),
  /** Merges week-old conversation fragments about the same thing into one main memory (also runs daily). */
  'memory.consolidate': () => ({ args: z.object({}).strict(), result: z.object({ groups: z.number(), created: z.number(), forgotten: z.number() }) }),
  /** Memories proposed after runs, newest first. */
  'memory.proposals': () => ({
    args: z.object({ status: z.enum(['pending', 'accepted', 'rejected']).optional() }).strict(),
    result: z.object({ proposals: z.array(MemoryProposalSchema) }),
  }),
  /** Accepts (optionally with edited text) or rejects a proposed memory. Answering twice returns the first answer. */
  'memory.resolveProposal': () => ({
    args: z.object({ proposalId: id, action: z.enum(['accept', 'reject']), text: memoryText.optional() }).strict(),
    result: MemoryProposalSchema,
  }),
} as const;

/** Memory events. Vectors are derived data and never travel in events. */
export const MEMORY_EVENT_DATA = {
  /** A memory was added. */
  'memory.added': () => z.object({
    memoryId: z.string(),
    text: z.string(),
    area: MemoryAreaSchema,
    pinned: z.boolean(),
    createdAt: z.number(),
    /** Set by imports that carry an update time; otherwise the creation time. */
    updatedAt: z.number().optional(),
    source: MemorySourceSchema,
    embedder: z.string(),
    supersedes: z.string().nullable(),
    conflictsWith: z.string().nullable(),
  }),
  /** A near duplicate was merged into an existing memory instead of being added. */
  'memory.merged': () => z.object({ memoryId: z.string(), text: z.string(), similarity: z.number(), source: MemorySourceSchema, createdAt: z.number() }),
  /** A memory's text or area was corrected. */
  'memory.updated': () => z.object({ memoryId: z.string(), text: z.string(), area: MemoryAreaSchema }),
  /** A memory was pinned or unpinned. */
  'memory.pinned': () => z.object({ memoryId: z.string(), pinned: z.boolean() }),
  /** Memories were forgotten; their text is not kept in the event. */
  'memory.forgotten': () => z.object({ memoryIds: z.array(z.string()) }),
  /** The embedder changed, or a re-embedding advanced or finished. */
  'memory.embedder': () => z.object({ embedder: z.string(), state: z.enum(['started', 'progress', 'finished', 'failed']), done: z.number(), total: z.number(), error: z.string().nullable() }),
  /** Memory settings changed. */
  'memory.configured': () => z.object({ autoAcceptProposals: z.boolean(), extractAfterRuns: z.boolean() }),
  /** A run's extraction proposed a memory for the user to accept, edit or reject. */
  'memory.proposed': () => z.object({ proposalId: z.string(), text: z.string(), area: MemoryAreaSchema, source: MemorySourceSchema }),
  /** A proposal was answered. */
  'memory.proposalResolved': () => z.object({
    proposalId: z.string(),
    action: z.enum(['accept', 'reject']),
    memoryId: z.string().nullable(),
    /** The text the user saved instead of the proposed one (absent when accepted as proposed). */
    editedText: z.string().optional(),
  }),
} as const;

/** Text per `memory.import` request: with JSON's escaping a piece stays well under a frame (`MAX_FRAME_BYTES`). */
export const IMPORT_CHUNK_CHARS = 256 * 1024;

/** Splits JSONL text into pieces of whole lines of at most `maxChars` (a longer line is a piece of its own), each with its first line's number. */
export function splitJsonl(text: string, maxChars = IMPORT_CHUNK_CHARS): { jsonl: string; firstLine: number }[] {
  const pieces: { jsonl: string; firstLine: number }[] = [];
  let start = 0;
  let line = 1;
  while (start < text.length) {
    let end = start;
    let lines = 0;
    // Whole lines while they fit; at least one.
    for (;;) {
      const nl = text.indexOf('\n', end);
      const next = nl < 0 ? text.length : nl + 1;
      if (lines > 0 && next - start > maxChars) break;
      end = next;
      lines++;
      if (nl < 0 || end - start >= maxChars) break;
    }
    pieces.push({ jsonl: text.slice(start, end), firstLine: line });
    line += lines;
    start = end;
  }
  return pieces;
}
