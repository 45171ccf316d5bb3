import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { describeEmbedder, type EmbedderConfig } from '../../../core/contract/index.js';
import { knownTaskPrefixes } from '../../../core/memory/prefixes.js';
import { OllamaLoopback, hashEmbedding, startTestCore, tempDir, useLoopbackProviders, type TestCore } from '../../support/index.js';

const SEARCH_PASSAGES = 'Represent this sentence for searching relevant passages: ';
const MEMORY = 'The spare key is under the flower pot';
const QUERY = 'where is the spare key?';

/** The inputs of every embeddings request a loopback server received after `from`, in order. */
function inputsSince(server: { requests: { path: string; body: unknown }[] }, path: string, from: number): string[] {
  return server.requests
    .slice(from)
    .filter((r) => r.path === path)
    .flatMap((r) => (r.body as { input: string[] }).input)
    .filter((x) => !x.endsWith('dimension probe'));
}

/** Chooses the embedder, waits for the re-embedding, then remembers MEMORY and searches QUERY: what the server was sent for each. */
async function writeAndSearch(t: TestCore, server: { requests: { path: string; body: unknown }[] }, path: string, embedder: EmbedderConfig) {
  await t.client.call('memory.configure', { embedder });
  await t.core.memory.whenReembedded();
  const from = server.requests.length;
  const added = await t.client.call('memory.add', { text: MEMORY, area: 'main' });
  const wrote = inputsSince(server, path, from);
  const at = server.requests.length;
  const found = await t.client.call('memory.search', { query: QUERY });
  const searched = inputsSince(server, path, at);
  await t.client.call('memory.forget', { ids: [added.memory.id] });
  return { wrote, searched, found, status: await t.client.call('memory.status', {}) };
}

describe('task prefixes for embedding models', () => {
  it('are known for the families trained with them, matched on the model name however it is written', () => {
    const nomic = { query: 'search_query: ', document: 'search_document: ' };
    const queryOnly = { query: SEARCH_PASSAGES, document: '' };
    const e5 = { query: 'query: ', document: 'passage: ' };
    const bgeZh = { query: '为这个句子生成表示以用于检索相关文章：', document: '' };
    const qwen3 = { query: 'Instruct: Given a web search query, retrieve relevant passages that answer the query\nQuery:', document: '' };
    const gemma = { query: 'task: search result | query: ', document: 'title: none | text: ' };
    const cases: [string, object | null][] = [
      ['nomic-embed-text', nomic],
      ['nomic-embed-text:latest', nomic],
      ['text-embedding-nomic-embed-text-v1.5', nomic],
      ['nomic-embed-text-v2-moe', nomic],
      ['hf.co/nomic-ai/nomic-embed-text-v1.5-GGUF:Q8_0', nomic],
      ['mxbai-embed-large', queryOnly],
      ['mxbai-embed-large:335m', queryOnly],
      ['mixedbread-ai/mxbai-embed-large-v1', queryOnly],
      ['hf.co/CompendiumLabs/bge-small-en-v1.5-gguf', queryOnly],
      ['BAAI/bge-base-en-v1.5', queryOnly],
      ['bge-large:latest', queryOnly],
      ['snowflake-arctic-embed:335m', queryOnly],
      ['Snowflake/snowflake-arctic-embed-m-v1.5', queryOnly],
      ['snowflake-arctic-embed2', { query: 'query: ', document: '' }],
      ['Snowflake/snowflake-arctic-embed-l-v2.0', { query: 'query: ', document: '' }],
      ['intfloat/e5-base-v2', e5],
      ['intfloat/multilingual-e5-large', e5],
      ['jeffh/intfloat-multilingual-e5-small:f16', e5],
      ['quentinz/bge-large-zh-v1.5', bgeZh],
      ['BAAI/bge-small-zh-v1.5', bgeZh],
      ['hf.co/CompendiumLabs/bge-base-zh-v1.5-gguf', bgeZh],
      ['qwen3-embedding:0.6b', qwen3],
      ['Qwen/Qwen3-Embedding-8B', qwen3],
      ['dengcao/Qwen3-Embedding-4B:Q4_K_M', qwen3],
      ['embeddinggemma', gemma],
      ['embeddinggemma:300m-qat-q4_0', gemma],
      ['google/embedding-gemma-300m', gemma],
      ['google/embeddinggemma-300m', gemma],
      // No prefixes, or another kind of instruction than this table applies.
      ['text-embedding-3-small', null],
      ['all-minilm', null],
      ['bge-m3', null],
      ['BAAI/bge-multilingual-gemma2', null],
      ['BAAI/bge-large-zh-noinstruct', null],
      ['hf.co/Xenova/bge-large-zh-noinstruct', null],
      ['intfloat/multilingual-e5-large-instruct', null],
      ['nomic-embed-code', null],
    ];
    for (const [model, expected] of cases) assert.deepEqual(knownTaskPrefixes(model), expected, model);
  });

  it('an embedder’s stored name is shown in words, task prefixes as a detail', () => {
    const cases: [string, string, string | null][] = [
      ['offline-v4-360', 'Built-in offline', null],
      ['offline-v2-256', 'Built-in offline', 'without word vectors'],
      ['ollama:nomic-embed-text+prefixes:5b0e1c2d', 'nomic-embed-text (Ollama)', 'with task prefixes'],
      ['ollama:all-minilm:latest', 'all-minilm:latest (Ollama)', null],
      ['openai:text-embedding-3-small', 'text-embedding-3-small (OpenAI)', null],
      ['lmstudio:text-embedding-bge-large-zh-v1.5+prefixes:00c0ffee', 'text-embedding-bge-large-zh-v1.5 (lmstudio)', 'with task prefixes'],
      ['something-else', 'something-else', null],
    ];
    for (const [name, label, detail] of cases) assert.deepEqual(describeEmbedder(name), { label, detail }, name);
  });

  describe('through Ollama', () => {
    let ollama: OllamaLoopback;
    before(async () => {
      ollama = await OllamaLoopback.start();
    });
    after(() => ollama.close());

    it('a memory and a search are sent with the model’s prefixes, and none for an unknown model', { timeout: 60_000 }, async () => {
      const t = await startTestCore({ env: { OLLAMA_HOST: ollama.url } });
      try {
        const nomic = await writeAndSearch(t, ollama, '/api/embed', { kind: 'ollama', model: 'nomic-embed-text' });
        assert.deepEqual(nomic.wrote, [`search_document: ${MEMORY}`]);
        assert.deepEqual(nomic.searched, [`search_query: ${QUERY}`]);
        assert.equal(nomic.status.embedder, 'ollama:nomic-embed-text+prefixes:30757326');
        assert.equal(nomic.found.hits[0].memory.text, MEMORY);

        const mxbai = await writeAndSearch(t, ollama, '/api/embed', { kind: 'ollama', model: 'mxbai-embed-large' });
        assert.deepEqual(mxbai.wrote, [MEMORY], 'mxbai embeds memories as they are');
        assert.deepEqual(mxbai.searched, [`${SEARCH_PASSAGES}${QUERY}`]);
        assert.equal(mxbai.status.embedder, 'ollama:mxbai-embed-large+prefixes:41f7933b');

        const plain = await writeAndSearch(t, ollama, '/api/embed', { kind: 'ollama', model: 'all-minilm' });
        assert.deepEqual(plain.wrote, [MEMORY]);
        assert.deepEqual(plain.searched, [QUERY]);
        assert.equal(plain.status.embedder, 'ollama:all-minilm', 'a model without prefixes keeps its plain name');

        // The person's own prefixes replace the table's; both empty embed plain text.
        const own = await writeAndSearch(t, ollama, '/api/embed', { kind: 'ollama', model: 'nomic-embed-text', prefixes: { query: 'Q: ', document: 'D: ' } });
        assert.deepEqual([own.wrote, own.searched], [[`D: ${MEMORY}`], [`Q: ${QUERY}`]]);
        const none = await writeAndSearch(t, ollama, '/api/embed', { kind: 'ollama', model: 'nomic-embed-text', prefixes: { query: '', document: '' } });
        assert.deepEqual([none.wrote, none.searched], [[MEMORY], [QUERY]]);
        assert.equal(none.status.embedder, 'ollama:nomic-embed-text');
      } finally {
        await t.close();
      }
    });

    it('a store a model embedded without its prefixes re-embeds once at start, with progress, searching the old vectors meanwhile', { timeout: 60_000 }, async () => {
      const dir = tempDir();
      let release = () => {};
      try {
        // The store as an earlier version left it: nomic-embed-text's vectors of plain text, under its plain name.
        const first = await startTestCore({ env: { OLLAMA_HOST: ollama.url }, dataDir: dir.path });
        const lines = Array.from({ length: 300 }, (_, i) => JSON.stringify({ text: `Note ${i}: the ${['red', 'green', 'blue'][i % 3]} folder holds invoice ${i * 7}`, area: 'main' }));
        lines.push(JSON.stringify({ text: MEMORY, area: 'main' }));
        await first.client.call('memory.import', { jsonl: lines.join('\n') });
        await first.client.call('memory.configure', { embedder: { kind: 'ollama', model: 'nomic-embed-text', prefixes: { query: '', document: '' } } });
        await first.core.memory.whenReembedded();
        assert.equal((await first.client.call('memory.status', {})).embedder, 'ollama:nomic-embed-text');
        first.core.db.prepare("UPDATE memory_meta SET value = ? WHERE key = 'embedder'").run(JSON.stringify({ kind: 'ollama', model: 'nomic-embed-text' }));
        await first.close({ keepData: true });

        // The re-embedding's batches wait until the search below has answered.
        const held = new Promise<void>((resolve) => (release = resolve));
        ollama.holdEmbedOf = (input) => (input.some((x) => x.startsWith('search_document: ')) ? held : null);
        const from = ollama.requests.length;
        const second = await startTestCore({ env: { OLLAMA_HOST: ollama.url }, dataDir: dir.path });
        try {
          const during = await second.client.call('memory.status', {});
          assert.equal(during.embedder, 'ollama:nomic-embed-text', 'the old vectors answer until the new index is complete');
          assert.equal(during.reembed?.embedder, 'ollama:nomic-embed-text+prefixes:30757326');
          const old = await second.client.call('memory.search', { query: QUERY });
          assert.equal(old.hits[0].memory.text, MEMORY);
          assert.ok(old.hits[0].explain.vectorRank !== null, 'vector search keeps using the old index');
          assert.deepEqual(inputsSince(ollama, '/api/embed', from).filter((x) => !x.startsWith('search_document: ')), [QUERY], 'embedding the query as the old index was made');

          release();
          await second.core.memory.whenReembedded();
          const documents = inputsSince(ollama, '/api/embed', from).filter((x) => x.startsWith('search_document: '));
          assert.equal(documents.length, 301, 'every memory once, after its prefix');
          assert.ok(documents.includes(`search_document: ${MEMORY}`));
          const states = second.events.filter((e) => e.type === 'memory.embedder').map((e) => (e.data as { state: string }).state);
          assert.deepEqual([states[0], states.at(-1)], ['started', 'finished']);
          const at = ollama.requests.length;
          const now = await second.client.call('memory.search', { query: QUERY });
          assert.deepEqual(inputsSince(ollama, '/api/embed', at), [`search_query: ${QUERY}`]);
          assert.equal(now.hits[0].memory.text, MEMORY);
          assert.equal(now.hits[0].memory.embedder, 'ollama:nomic-embed-text+prefixes:30757326');
        } finally {
          release();
          await second.close({ keepData: true });
        }

        // Once: the next start finds the index made with the prefixes.
        const third = await startTestCore({ env: { OLLAMA_HOST: ollama.url }, dataDir: dir.path });
        try {
          const status = await third.client.call('memory.status', {});
          assert.equal(status.embedder, 'ollama:nomic-embed-text+prefixes:30757326');
          assert.equal(status.reembed, null);
        } finally {
          await third.close({ keepData: true });
        }
      } finally {
        ollama.holdEmbedOf = null;
        release();
        ollama.embed = (texts) => texts.map((x) => hashEmbedding(x, 8));
        dir.cleanup();
      }
    });

    it('during a switch to another model an older version left unfinished, new memories are embedded plain into the plain index and searches use its vectors', { timeout: 60_000 }, async () => {
      const dir = tempDir();
      let release = () => {};
      const E5 = 'jeffh/intfloat-multilingual-e5-small:f16';
      const NEW = 'The bike lock code is 4471';
      /** What was sent to embed with `model` since request `from` (the dimension probes left out). */
      const sentTo = (model: string, from: number) =>
        ollama.requests
          .slice(from)
          .filter((r) => r.path === '/api/embed' && (r.body as { model: string }).model === model)
          .flatMap((r) => (r.body as { input: string[] }).input)
          .filter((x) => !x.endsWith('dimension probe'));
      try {
        // As an earlier version left the store: nomic-embed-text's plain vectors under its plain name,
        // and a switch to an E5 model under way.
        const first = await startTestCore({ env: { OLLAMA_HOST: ollama.url }, dataDir: dir.path });
        const lines = [MEMORY, 'The recycling goes out on Tuesdays', 'My passport expires in 2029', 'The router admin password is on the fridge'].map((text) => JSON.stringify({ text, area: 'main' }));
        await first.client.call('memory.import', { jsonl: lines.join('\n') });
        await first.client.call('memory.configure', { embedder: { kind: 'ollama', model: 'nomic-embed-text', prefixes: { query: '', document: '' } } });
        await first.core.memory.whenReembedded();
        assert.equal((await first.client.call('memory.status', {})).embedder, 'ollama:nomic-embed-text');
        const setMeta = first.core.db.prepare('UPDATE memory_meta SET value = ? WHERE key = ?');
        setMeta.run(JSON.stringify({ kind: 'ollama', model: 'nomic-embed-text' }), 'embedder');
        first.core.db.prepare('INSERT INTO memory_meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value').run('embedderTarget', JSON.stringify({ kind: 'ollama', model: E5 }));
        await first.close({ keepData: true });

        // The switch's batches of stored memories wait until the checks below are done.
        const held = new Promise<void>((resolve) => (release = resolve));
        ollama.holdEmbedOf = (input) => (input.length > 1 && input.every((x) => x.startsWith('passage: ')) ? held : null);
        const second = await startTestCore({ env: { OLLAMA_HOST: ollama.url }, dataDir: dir.path });
        try {
          const during = await second.client.call('memory.status', {});
          assert.equal(during.embedder, 'ollama:nomic-embed-text', 'the plain index answers until the switch is done');
          assert.match(during.reembed?.embedder ?? '', /^ollama:jeffh\/intfloat-multilingual-e5-small:f16\+prefixes:/);

          let from = ollama.requests.length;
          const added = await second.client.call('memory.add', { text: NEW, area: 'main' });
          assert.deepEqual(sentTo('nomic-embed-text', from), [NEW], 'embedded plain for the plain index');
          assert.deepEqual(sentTo(E5, from).filter((x) => x.endsWith(NEW)), [`passage: ${NEW}`], 'and after its prefix for the index being built');
          assert.equal(added.memory.embedder, 'ollama:nomic-embed-text');

          from = ollama.requests.length;
          const found = await second.client.call('memory.search', { query: 'what is the code of the bike lock?' });
          assert.deepEqual(sentTo('nomic-embed-text', from), ['what is the code of the bike lock?'], 'the query is embedded plain too');
          assert.equal(found.hits[0].memory.text, NEW);
          assert.ok(found.hits[0].explain.vectorRank !== null, 'vector search uses the plain index');
          const old = await second.client.call('memory.search', { query: QUERY });
          assert.equal(old.hits[0].memory.text, MEMORY);
          assert.ok(old.hits[0].explain.vectorRank !== null);

          release();
          await second.core.memory.whenReembedded();
          const now = await second.client.call('memory.status', {});
          assert.equal(now.embedder, during.reembed?.embedder, 'the switch then ends as it was asked for');
          assert.equal(now.reembed, null);
          from = ollama.requests.length;
          const after = await second.client.call('memory.search', { query: QUERY });
          assert.deepEqual(sentTo(E5, from), [`query: ${QUERY}`]);
          assert.equal(after.hits[0].memory.text, MEMORY);
        } finally {
          release();
          await second.close({ keepData: true });
        }
      } finally {
        ollama.holdEmbedOf = null;
        release();
        dir.cleanup();
      }
    });
  });

  describe('through an OpenAI-compatible endpoint', () => {
    const servers = useLoopbackProviders();

    it('a memory and a search are sent with the model’s prefixes, none for an unknown model, and a model of another scheme re-embeds', { timeout: 60_000 }, async () => {
      const t = await startTestCore({ env: servers.env() });
      try {
        await t.client.call('providers.endpoint.save', { name: 'lmstudio', baseUrl: servers.openai.baseUrl });
        await t.client.call('memory.add', { text: 'Our rent is $2,780 a month', area: 'main' });
        const reembedded = (from: number) => inputsSince(servers.openai, '/v1/embeddings', from).filter((x) => x.endsWith('Our rent is $2,780 a month'));

        let from = servers.openai.requests.length;
        const nomic = await writeAndSearch(t, servers.openai, '/v1/embeddings', { kind: 'openai', provider: 'lmstudio', model: 'text-embedding-nomic-embed-text-v1.5' });
        assert.deepEqual(reembedded(from), ['search_document: Our rent is $2,780 a month'], 'the stored memory is re-embedded after its prefix');
        assert.deepEqual(nomic.wrote, [`search_document: ${MEMORY}`]);
        assert.deepEqual(nomic.searched, [`search_query: ${QUERY}`]);
        assert.match(nomic.status.embedder, /^lmstudio:text-embedding-nomic-embed-text-v1\.5\+prefixes:30757326$/);

        from = servers.openai.requests.length;
        const mxbai = await writeAndSearch(t, servers.openai, '/v1/embeddings', { kind: 'openai', provider: 'lmstudio', model: 'mxbai-embed-large-v1' });
        assert.deepEqual(reembedded(from), ['Our rent is $2,780 a month'], 'switching to a model of another scheme re-embeds every memory');
        assert.deepEqual(mxbai.wrote, [MEMORY]);
        assert.deepEqual(mxbai.searched, [`${SEARCH_PASSAGES}${QUERY}`]);

        from = servers.openai.requests.length;
        const plain = await writeAndSearch(t, servers.openai, '/v1/embeddings', { kind: 'openai', provider: 'lmstudio', model: 'text-embedding-3-small' });
        assert.deepEqual(reembedded(from), ['Our rent is $2,780 a month']);
        assert.deepEqual(plain.wrote, [MEMORY]);
        assert.deepEqual(plain.searched, [QUERY]);
        assert.equal(plain.status.embedder, 'lmstudio:text-embedding-3-small');
        const states = t.events.filter((e) => e.type === 'memory.embedder' && (e.data as { state: string }).state === 'finished').map((e) => (e.data as { embedder: string }).embedder);
        assert.deepEqual(states, [
          'lmstudio:text-embedding-nomic-embed-text-v1.5+prefixes:30757326',
          'lmstudio:mxbai-embed-large-v1+prefixes:41f7933b',
          'lmstudio:text-embedding-3-small',
        ]);
      } finally {
        await t.close();
      }
    });
  });
});
