import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connectWebSocket } from '../../core/gateway/websocket-client.js';
import { REPO_ROOT, spawnUntilReady } from '../crash/spawn.js';
import { AnthropicLoopback, chunk, tempDir, waitFor } from '../support/index.js';
import { fixtureFiles, stdioServer } from '../core/mcp/helpers.js';

describe('agent-blob host started from its code cache', () => {
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(async () => {
    await anthropic.close();
  });

  it('loads the Anthropic SDK and the MCP SDK through import() from a cached start', { timeout: 120_000 }, async () => {
    const dir = tempDir();
    try {
      const env = { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url, NODE_OPTIONS: '' };
      const args = ['bin/agent-blob.js', 'host', '--json', '--no-ui', '--until-stdin-closes', '--data-dir', dir.path];
      const first = await spawnUntilReady(args, env);
      first.child.kill('SIGTERM');
      assert.deepEqual(await first.exited, { code: 0, signal: null }, first.stderr());
      assert.ok(readdirSync(join(REPO_ROOT, 'dist', 'cli', 'code-cache')).some((f) => f.startsWith('main-')), 'a cache was written');

      const host = await spawnUntilReady(args, env);
      const client = connectWebSocket((host.ready as { wsUrl: string }).wsUrl);
      let text = '';
      client.subscribe(0, (event) => {
        if (event.type === 'message.delta') text += (event.data as { text?: string }).text ?? '';
      });
      anthropic.script({ kind: 'stream', chunks: chunk('Hello from a cached start.', 5), delayMs: 1 });
      const { runId } = await client.call('chat.send', { text: 'hi' });
      let run: { status: string; reason?: string | null; error?: unknown } = { status: 'queued' };
      await waitFor(async () => {
        run = (await client.call('runs.get', { runId })) as typeof run;
        return !['queued', 'running'].includes(run.status);
      }, 'the run to end');
      assert.equal(run.status, 'done', JSON.stringify(run) + host.stderr());
      assert.match(text, /^Hello from a cached/);

      const files = fixtureFiles(dir.path);
      const added = await client.call('mcp.add', { name: 'fixture', server: stdioServer(files), wait: true });
      assert.equal(added.state, 'ready', added.reason ?? '');
      assert.ok(added.tools.some((t: { name: string }) => t.name === 'echo'));
      client.close();
      host.child.kill('SIGTERM');
      assert.deepEqual(await host.exited, { code: 0, signal: null }, host.stderr());
      assert.doesNotMatch(host.stderr(), /\n\s+at /);
    } finally {
      dir.cleanup();
    }
  });
});
