import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadOnce } from '../../../core/mcp/connection.js';

describe('loading the MCP SDK', () => {
  it('a failed load is tried again on the next start, and once it succeeds it is shared and never loaded again', async () => {
    let calls = 0;
    const load = loadOnce(async () => {
      calls++;
      if (calls === 1) throw new Error('EMFILE: too many open files');
      return { loaded: calls };
    });
    await assert.rejects(load(), /EMFILE/);
    assert.deepEqual(await load(), { loaded: 2 });
    const [a, b] = await Promise.all([load(), load()]);
    assert.equal(a, b);
    assert.equal(calls, 2);
  });
});
