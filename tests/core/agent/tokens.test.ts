import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { estimateTokens } from '../../../core/agent/index.js';
import { OllamaLoopback, startTestCore } from '../../support/index.js';

/** A lenient count of what a tokeniser makes of a body: a token per non-ASCII character, one per four ASCII ones. */
function lenientTokens(body: unknown): number {
  const text = JSON.stringify(body);
  let wide = 0;
  for (const ch of text) if (ch.codePointAt(0)! > 0x7f) wide++;
  return wide + Math.ceil((text.length - wide) / 4);
}

describe('token estimates stay conservative beyond English', () => {
  let ollama: OllamaLoopback;
  before(async () => {
    ollama = await OllamaLoopback.start();
  });
  after(() => ollama.close());

  it('counts ASCII at three characters a token and every other character as two tokens', () => {
    assert.equal(estimateTokens('abc'.repeat(100)), 100);
    assert.equal(estimateTokens('会議は木曜日に移動しました'), 26);
    assert.equal(estimateTokens('café'), 1 + 2);
    assert.equal(estimateTokens('🙂'), 4);
  });

  it('a long conversation in Japanese is compacted before its prompt passes the context window', async () => {
    const window = 3000;
    const reply = '了解しました。'.repeat(15);
    ollama.always({ kind: 'stream', chunks: [reply], usage: { input: 100, output: 50 } });
    const t = await startTestCore({ env: { OLLAMA_HOST: ollama.url } });
    try {
      await t.client.call('agent.settings.update', { routes: { chat: ['ollama:llama3.2'] }, contextTokens: { 'ollama:llama3.2': window }, compactAt: 0.75 });
      const from = ollama.requests.length;
      for (let i = 0; i < 40; i++) {
        const { runId } = await t.client.call('chat.send', { text: `${i}番目: 会議は木曜日に移動しました。資料を準備してください。`.repeat(3) });
        await t.core.idle();
        assert.equal((await t.client.call('runs.get', { runId })).status, 'done');
      }
      const chat = ollama.requests.slice(from).filter((r) => !JSON.stringify(r.body).includes('You compress conversations'));
      const largest = Math.max(...chat.map((r) => lenientTokens(r.body)));
      assert.ok(largest < window, `largest prompt about ${largest} tokens`);
      assert.ok(t.events.some((e) => e.type === 'conversation.compacted'), 'it was compacted');
    } finally {
      await t.close();
    }
  });
});
