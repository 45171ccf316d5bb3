import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isAppError } from '../../../core/contract/index.js';
import { AnthropicLoopback, chunk, startTestCore, waitFor } from '../../support/index.js';

describe('searching the whole timeline', () => {
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(() => anthropic.close());

  it('finds finished messages by every word (the last as a prefix), newest first, with a marked snippet; a streaming reply is found once it is whole', async () => {
    const t = await startTestCore({ env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url } });
    try {
      const { log } = t.core;
      log.transaction(() => {
        for (let i = 0; i < 500; i++) log.append('message.created', { messageId: `m${i}`, role: i % 2 ? 'assistant' : 'user', text: `ordinary message number ${i}`, status: 'done' }, null);
        log.append('message.created', { messageId: 'old', role: 'user', text: 'Remember the Kyoto trip in April? The ryokan was lovely.', status: 'done' }, null);
        for (let i = 500; i < 600; i++) log.append('message.created', { messageId: `m${i}`, role: 'user', text: `more filler ${i}`, status: 'done' }, null);
        log.append('timeline.error', { code: 'unavailable', message: 'the Kyoto weather service did not answer' }, null);
      });
      anthropic.script({ kind: 'stream', chunks: chunk('Your Kyoto plans: temples first, then the ryokan by the river.', 6), delayMs: 30 });
      const { runId } = await t.client.call('chat.send', { text: 'what about kyoto?' });
      await waitFor(() => t.events.some((e) => e.type === 'message.delta' && e.runId === runId), 30_000, 'the reply to stream');
      const during = await t.client.call('timeline.search', { query: 'temples' });
      assert.deepEqual(during.hits, [], 'a reply is not searchable half-written');
      await t.core.idle();

      const kyoto = await t.client.call('timeline.search', { query: 'kyoto' });
      assert.deepEqual(
        kyoto.hits.map((h) => [h.kind, h.role]),
        [
          ['message', 'assistant'],
          ['message', 'user'],
          ['error', null],
          ['message', 'user'],
        ],
        'newest first: the reply, the question, the error, the old message',
      );
      const oldHit = kyoto.hits[3];
      assert.equal(oldHit.id, 'old');
      assert.equal(oldHit.snippet, 'Remember the Kyoto trip in April? The ryokan was lovely.');
      assert.deepEqual(oldHit.highlights, [[13, 18]]);
      assert.equal(oldHit.snippet.slice(13, 18), 'Kyoto');

      const both = await t.client.call('timeline.search', { query: 'ryokan KYO' });
      assert.deepEqual(both.hits.map((h) => h.id).slice(-1), ['old'], 'every word must match; the last is a prefix; case does not matter');
      assert.equal(both.hits.length, 2);
      const marked = both.hits[1].highlights.map(([a, b]) => both.hits[1].snippet.slice(a, b));
      assert.deepEqual(marked, ['Kyoto', 'ryokan']);

      const paged = await t.client.call('timeline.search', { query: 'ordinary', limit: 10 });
      assert.equal(paged.hits.length, 10);
      assert.equal(paged.hasMore, true);
      assert.equal(paged.hits[0].id, 'm499');
      const next = await t.client.call('timeline.search', { query: 'ordinary', limit: 10, beforeSeq: paged.hits[9].seq });
      assert.equal(next.hits[0].id, 'm489');

      // Words FTS5 would read as syntax are only words here.
      assert.deepEqual((await t.client.call('timeline.search', { query: 'NEAR("kyoto" OR *' })).hits.length, 0);
      assert.ok((await t.client.call('timeline.search', { query: '"kyoto"' })).hits.length > 0);
      await assert.rejects(t.client.call('timeline.search', { query: '   ' }), (err) => isAppError(err) && err.code === 'invalid_input');
    } finally {
      await t.close();
    }
  });

  it('a database from before search existed has its old messages indexed when it is opened', async () => {
    // The migration indexes what is already there; a fresh core runs it on an empty table, so check
    // through the projector instead: a long text written once is found by a word from its end.
    const t = await startTestCore();
    try {
      t.core.log.transaction(() => t.core.log.append('message.created', { messageId: 'long', role: 'user', text: `${'word '.repeat(2000)}zanzibar`, status: 'done' }, null));
      const { hits } = await t.client.call('timeline.search', { query: 'zanzibar' });
      assert.equal(hits.length, 1);
      assert.ok(hits[0].snippet.startsWith('…') && hits[0].snippet.endsWith('zanzibar'));
    } finally {
      await t.close();
    }
  });
});
