import assert from 'node:assert/strict';
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isAppError } from '../../../core/contract/index.js';
import { AnthropicLoopback, startTestCore, tempDir, waitFor } from '../../support/index.js';

describe('what a waiting call would do, for the approval dialog', () => {
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(async () => {
    await anthropic.close();
  });

  async function withCore(fn: (t: Awaited<ReturnType<typeof startTestCore>>, root: string) => Promise<void>): Promise<void> {
    const dir = tempDir();
    const root = join(dir.path, 'root');
    mkdirSync(root);
    const t = await startTestCore({ dataDir: join(dir.path, 'data'), allowedRoots: [root], resolveHost: null, env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url } });
    try {
      await fn(t, realpathSync(root));
    } finally {
      await t.close();
      dir.cleanup();
    }
  }

  it('a write shows its whole new text beside the file as it is now, with keys masked, until it is answered', async () => {
    await withCore(async (t, root) => {
      writeFileSync(join(root, 'plan.md'), 'monday: rest\n');
      const text = 'monday: write the report\nkey sk-ant-test-key-000000 stays secret\n';
      anthropic.script({ kind: 'stream', toolCalls: [{ name: 'write_text', arguments: { path: 'plan.md', text } }] }, { kind: 'stream', chunks: ['Done.'] });
      await t.client.call('chat.send', { text: 'update my plan' });
      const request = await waitFor(async () => (await t.client.call('permissions.pending', {})).requests[0], 20_000, 'the request');
      const details = await t.client.call('permissions.details', { requestId: request.requestId });
      assert.ok(details.kind === 'write', `a write (${details.kind})`);
      assert.equal(details.path, join(root, 'plan.md'));
      assert.equal(details.before, 'monday: rest\n', 'the file as it is on disk');
      assert.equal(details.content, 'monday: write the report\nkey [redacted] stays secret\n');
      assert.equal(details.truncated, false);
      await t.client.call('permissions.answer', { requestId: request.requestId, decision: 'deny' });
      await assert.rejects(t.client.call('permissions.details', { requestId: request.requestId }), (err) => isAppError(err) && err.code === 'not_found');
      await t.core.idle();
    });
  });

  it('a new file has nothing before it; a command shows its working folder; an unknown request is not found', async () => {
    await withCore(async (t, root) => {
      anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'write_text', arguments: { path: 'new/notes.md', text: 'first words' } }] },
        { kind: 'stream', toolCalls: [{ name: 'run_command', arguments: { command: 'ls -la' } }] },
        { kind: 'stream', chunks: ['Done.'] },
      );
      await t.client.call('chat.send', { text: 'make notes then list' });
      const first = await waitFor(async () => (await t.client.call('permissions.pending', {})).requests[0], 20_000, 'the write request');
      const write = await t.client.call('permissions.details', { requestId: first.requestId });
      assert.deepEqual(write, { kind: 'write', path: join(root, 'new', 'notes.md'), content: 'first words', before: null, truncated: false, binary: false });
      await t.client.call('permissions.answer', { requestId: first.requestId, decision: 'allow' });
      const second = await waitFor(async () => (await t.client.call('permissions.pending', {})).requests.find((r) => r.capability === 'shell.exec'), 20_000, 'the command request');
      assert.deepEqual(await t.client.call('permissions.details', { requestId: second.requestId }), { kind: 'command', command: 'ls -la', cwd: root });
      await t.client.call('permissions.answer', { requestId: second.requestId, decision: 'deny' });
      await assert.rejects(t.client.call('permissions.details', { requestId: 'perm_nope' }), (err) => isAppError(err) && err.code === 'not_found');
      await assert.rejects(t.client.call('permissions.details', { requestId: '' } as never), (err) => isAppError(err) && err.code === 'invalid_input');
      await t.core.idle();
    });
  });
});
