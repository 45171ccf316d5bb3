import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { lexiconIfLoaded } from '../../../core/memory/lexicon/index.js';
import { startTestCore, waitFor } from '../../support/index.js';

/**
 * WordNet (what the offline embedder needs) is loaded after a long-lived core starts, so the first
 * memory a person adds does not wait for it; a short-lived command does not load it unless it
 * touches memory. This file runs in its own process, so nothing loaded it before.
 */
describe('the first memory write does not wait for WordNet', () => {
  it('a command-line core does not load it; the app and the host load it in the background after start, before any memory write', async () => {
    const cli = await startTestCore({ owner: 'cli' });
    try {
      await cli.client.call('runs.list', {});
      await new Promise((resolve) => setTimeout(resolve, 50));
      assert.equal(lexiconIfLoaded(), null, 'a short command that never touched memory did not load WordNet');
    } finally {
      await cli.close();
    }
    const host = await startTestCore({ owner: 'host' });
    try {
      await waitFor(() => lexiconIfLoaded() !== null, 'WordNet loaded in the background');
      const head = host.core.log.head();
      const { memory } = await host.client.call('memory.add', { area: 'main', text: 'my sister likes fresh basil from the garden' });
      assert.equal(memory.text, 'my sister likes fresh basil from the garden');
      assert.ok(host.core.log.head() > head);
      const { hits } = await host.client.call('memory.search', { query: 'sibling', limit: 5 });
      assert.ok(hits.some((h) => h.memory.id === memory.id), 'WordNet relates sibling to sister: the write used it');
    } finally {
      await host.close();
    }
  });
});
