import type { EmbedderConfig, TaskPrefixes } from '../contract/index.js';
import type { Embedder } from './embedder.js';
import { fnv1a } from './text.js';

/** What a text is embedded as: a memory to be found (a document) or a search for memories (a query). */
export type EmbedPurpose = 'query' | 'document';

/** BGE's, mxbai's and Arctic Embed v1's query instruction (the same words for all three). */
const SEARCH_PASSAGES = 'Represent this sentence for searching relevant passages: ';

/**
 * Embedding models trained with task prefixes, matched on the configured model name (any case, with
 * or without a tag, a publisher or an `hf.co/…` path: `nomic-embed-text:latest`,
 * `text-embedding-nomic-embed-text-v1.5`, `hf.co/CompendiumLabs/bge-small-en-v1.5-gguf`). The first
 * match wins, so a more specific family comes before the family its name contains. A model that
 * matches none (`text-embedding-3-small`, `all-minilm`, `bge-m3`) embeds plain text.
 */
const FAMILIES: { family: string; matches: (model: string) => boolean; prefixes: TaskPrefixes }[] = [
  {
    // nomic-embed-text v1, v1.5 and v2-moe: "search_query: " for questions, "search_document: " for
    // what is searched. huggingface.co/nomic-ai/nomic-embed-text-v1.5 ("Usage": nomic-embed-text
    // requires prefixes), huggingface.co/nomic-ai/nomic-embed-text-v2-moe ("Usage Guide").
    family: 'nomic-embed-text',
    matches: (m) => m.includes('nomic-embed-text'),
    prefixes: { query: 'search_query: ', document: 'search_document: ' },
  },
  {
    // mxbai-embed-large v1: the instruction on the query only, documents plain.
    // huggingface.co/mixedbread-ai/mxbai-embed-large-v1 and ollama.com/library/mxbai-embed-large ("Usage").
    family: 'mxbai-embed-large',
    matches: (m) => m.includes('mxbai-embed-large'),
    prefixes: { query: SEARCH_PASSAGES, document: '' },
  },
  {
    // Arctic Embed 2.0 (Ollama's snowflake-arctic-embed2, snowflake-arctic-embed-m-v2.0, -l-v2.0):
    // "query: " on the query only. huggingface.co/Snowflake/snowflake-arctic-embed-l-v2.0 ("Usage":
    // query_prefix = 'query: ', documents without one).
    family: 'snowflake-arctic-embed2',
    matches: (m) => /arctic-embed(2|-[a-z]+-v2)/.test(m),
    prefixes: { query: 'query: ', document: '' },
  },
  {
    // Arctic Embed v1 and v1.5 (xs, s, m, m-long, l): the instruction on the query only.
    // github.com/Snowflake-Labs/arctic-embed README ("Usage": query_prefix, "just on the query").
    family: 'snowflake-arctic-embed',
    matches: (m) => m.includes('arctic-embed'),
    prefixes: { query: SEARCH_PASSAGES, document: '' },
  },
  {
    // BGE Chinese v1 and v1.5 (bge-small/base/large-zh): the Chinese instruction on the query only,
    // with its full-width colon. github.com/FlagOpen/FlagEmbedding (model list, "query instruction
    // for retrieval"); the same words for v1 and v1.5. bge-large-zh-noinstruct was trained without
    // it and takes plain text.
    family: 'bge-zh',
    matches: (m) => /(^|[^a-z0-9])bge-(small|base|large)-zh/.test(m) && !m.includes('noinstruct'),
    prefixes: { query: '为这个句子生成表示以用于检索相关文章：', document: '' },
  },
  {
    // BGE English v1 and v1.5 (bge-small/base/large-en, Ollama's bge-large): the instruction on the
    // query only, "no instruction needs to be added to passages". github.com/FlagOpen/FlagEmbedding
    // (model list, "query instruction for retrieval"). bge-m3 takes none.
    family: 'bge-en',
    matches: (m) => /(^|[^a-z0-9])bge-(small|base|large)(?![-_.a-z0-9]*zh)/.test(m),
    prefixes: { query: SEARCH_PASSAGES, document: '' },
  },
  {
    // E5 and multilingual E5 (small, base, large, v2): "query: " and "passage: ", "even for
    // non-English texts". huggingface.co/intfloat/e5-base-v2 and /intfloat/multilingual-e5-base
    // ("FAQ", "Usage"). The -instruct models take a task instruction instead and are not matched.
    family: 'e5',
    matches: (m) => /(^|[^a-z0-9])(multilingual-)?e5-(small|base|large)/.test(m) && !m.includes('instruct'),
    prefixes: { query: 'query: ', document: 'passage: ' },
  },
  {
    // Qwen3-Embedding (0.6B, 4B, 8B): a one-sentence task instruction before each query, none for
    // what is searched. huggingface.co/Qwen/Qwen3-Embedding-0.6B ("Usage": get_detailed_instruct,
    // 'Instruct: {task}\nQuery:{query}', and the sentence-transformers "query" prompt) with its
    // web-search task, the one the card uses for retrieval.
    family: 'qwen3-embedding',
    matches: (m) => m.includes('qwen3-embedding'),
    prefixes: { query: 'Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:', document: '' },
  },
  {
    // EmbeddingGemma (Ollama's embeddinggemma, LM Studio's embedding-gemma-300m): a task before the
    // query and a title before the document. ai.google.dev/gemma/docs/embeddinggemma/model_card
    // ("Prompt instructions": Retrieval query and document) and the model's sentence-transformers
    // prompts ("Retrieval-query", "Retrieval-document").
    family: 'embeddinggemma',
    matches: (m) => /embedding-?gemma/.test(m),
    prefixes: { query: 'task: search result | query: ', document: 'title: none | text: ' },
  },
];

/** The task prefixes the model was trained with, from the table above, or null for plain text. */
export function knownTaskPrefixes(model: string): TaskPrefixes | null {
  const name = model.toLowerCase();
  return FAMILIES.find((f) => f.matches(name))?.prefixes ?? null;
}

/**
 * The prefixes an embedder of this configuration puts before queries and memories: the configured
 * ones (`prefixes` in the memory config, both empty for none) or else the table's. Null for none.
 */
export function taskPrefixesFor(config: EmbedderConfig): TaskPrefixes | null {
  if (config.kind === 'offline') return null;
  const chosen = config.prefixes ?? knownTaskPrefixes(config.model);
  return chosen && (chosen.query || chosen.document) ? chosen : null;
}

/** The same configuration embedding plain text (what an index made before task prefixes holds). */
export function withoutTaskPrefixes(config: EmbedderConfig): EmbedderConfig {
  return config.kind === 'offline' ? config : { ...config, prefixes: { query: '', document: '' } };
}

/**
 * The name stored with an embedder's vectors: its plain name, and with task prefixes a digest of
 * them (`ollama:nomic-embed-text+prefixes:5b0e…`), so vectors made with other prefixes, or none, are
 * another embedder's and the store re-embeds once when they change.
 */
function prefixedName(name: string, prefixes: TaskPrefixes): string {
  return `${name}+prefixes:${fnv1a(`${prefixes.query}\u0000${prefixes.document}`).toString(16).padStart(8, '0')}`;
}

/**
 * A model embedder that gives the model each text after its task prefix for the text's purpose, and
 * names its vectors after the prefixes; the embedder itself when there are none.
 */
export function withTaskPrefixes(embedder: Embedder, prefixes: TaskPrefixes | null): Embedder {
  if (!prefixes) return embedder;
  return {
    ...embedder,
    name: prefixedName(embedder.name, prefixes),
    embed: (texts, purpose, signal) => {
      const prefix = prefixes[purpose];
      return embedder.embed(prefix ? texts.map((t) => prefix + t) : texts, purpose, signal);
    },
  };
}
