import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { alive, AnthropicLoopback, startTestCore, tempDir, waitFor } from '../../support/index.js';
import { allowMcp, completions, fixtureFiles, stdioServer, waitForState } from './helpers.js';

/** Every file under a folder, read as text (the database, its WAL and the log file included). */
function everyFile(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) out.push(...everyFile(path));
    else out.push({ path, text: readFileSync(path).toString('latin1') });
  }
  return out;
}

/** MCP servers that misbehave: stuck at start, slow to answer, careless with their token; and servers kept across restarts. */
describe('MCP servers that misbehave', () => {
  const dir = tempDir('agent-blob-mcp-fail-');
  after(() => dir.cleanup());
  const env = (anthropic: AnthropicLoopback) => ({ ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url });

  it('a server stuck at start fails after the start timeout with that reason, leaves no process behind, and doctor warns while the app keeps answering', async () => {
    const files = fixtureFiles(dir.path, 'hang');
    files.setState({ hang: true });
    const t = await startTestCore({ mcp: { startTimeoutMs: 3000, backoffMs: [600_000] }, bundledSkillsDir: null });
    try {
      const added = await t.client.call('mcp.add', { name: 'stuck', server: stdioServer(files), wait: true });
      assert.equal(added.state, 'failed');
      assert.equal(added.reason, 'it did not start within 3 s');
      assert.ok(added.retryAt !== null, 'a restart is planned');
      const pid = files.entries().find((e) => e.hanging)?.hanging as number;
      assert.ok(pid > 0, 'the stuck process had started');
      await waitFor(() => !alive(pid), 'the stuck process to be ended');
      const doctor = await t.client.call('system.doctor', { probeProviders: false });
      assert.equal(doctor.checks.find((c) => c.name === 'mcp stuck')?.status, 'warn');
      assert.match(doctor.checks.find((c) => c.name === 'mcp stuck')?.detail ?? '', /failed: it did not start within 3 s; retrying at/);
      assert.equal(doctor.ok, true);
      assert.ok((await t.client.call('system.ping', {})).now > 0);
    } finally {
      await t.close();
    }
  });

  it('a call that gets no answer within the call timeout fails with timeout, the server hears the cancellation, and it stays ready', async () => {
    const anthropic = await AnthropicLoopback.start();
    const files = fixtureFiles(dir.path, 'slow');
    const t = await startTestCore({ env: env(anthropic), mcp: { callTimeoutMs: 500, backoffMs: [50] }, bundledSkillsDir: null });
    try {
      await allowMcp(t);
      await t.client.call('mcp.add', { name: 'fixture', server: stdioServer(files), wait: true });
      await t.client.call('mcp.approve', { name: 'fixture' });
      anthropic.script({ kind: 'stream', toolCalls: [{ name: 'mcp__fixture__slow', arguments: {} }] }, { kind: 'stream', chunks: ['it timed out'] });
      const { runId } = await t.client.call('chat.send', { text: 'wait for it' });
      await t.core.idle();
      const [slow] = completions(t, runId);
      assert.equal(slow.ok, false);
      assert.equal(slow.error?.code, 'timeout');
      assert.equal(slow.error?.message, 'fixture did not answer slow within 1 s');
      await waitFor(() => files.entries().some((e) => e.cancelled === 'slow'), 'the server to hear the cancellation');
      assert.equal((await t.client.call('runs.get', { runId })).status, 'done', 'the run goes on after the tool error');
      assert.equal((await t.client.call('mcp.list', {})).servers[0].state, 'ready');
    } finally {
      await t.close();
      await anthropic.close();
    }
  });

  it('a secret in a server\'s environment reaches the server but never the model, the events or any file of the data folder, even when the server prints it', async () => {
    const anthropic = await AnthropicLoopback.start();
    const files = fixtureFiles(dir.path, 'leak');
    const secret = 'hunter2-correct-horse-battery-staple';
    files.setState({ leak: 'DB_PASSWORD' });
    const dataDir = join(dir.path, 'leak-data');
    // The real file logger (not the silent one tests use), so the log file is checked too.
    const t = await startTestCore({ dataDir, logger: undefined, env: env(anthropic), mcp: { backoffMs: [50, 100] }, bundledSkillsDir: null });
    let closed = false;
    try {
      await allowMcp(t);
      const added = await t.client.call('mcp.add', { name: 'fixture', server: stdioServer(files, { DB_PASSWORD: secret }), wait: true });
      assert.deepEqual(added.env.find((e) => e.key === 'DB_PASSWORD'), { key: 'DB_PASSWORD', value: null, secret: true });
      await t.client.call('mcp.approve', { name: 'fixture' });
      const before = t.core.log.head();
      anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'mcp__fixture__echo', arguments: { text: 'hi' } }] },
        { kind: 'stream', toolCalls: [{ name: 'mcp__fixture__crash', arguments: {} }] },
        { kind: 'stream', chunks: ['done'] },
      );
      const { runId } = await t.client.call('chat.send', { text: 'who are you' });
      const failed = await waitForState(t, 'fixture', 'failed', before);
      await t.core.idle();
      assert.match(failed.reason ?? '', /login failed with \[redacted\]/, 'the reason keeps what the server wrote, masked');
      assert.equal(completions(t, runId)[0].output, 'echo: hi (as [redacted])');
      await waitForState(t, 'fixture', 'ready', before);

      assert.ok(anthropic.requests.length >= 3);
      assert.ok(!JSON.stringify(anthropic.requests).includes(secret), 'the model never saw it');
      assert.ok(!JSON.stringify(t.events).includes(secret), 'no event holds it');
      assert.ok(!JSON.stringify(await t.client.call('mcp.show', { name: 'fixture' })).includes(secret));
      await t.close({ keepData: true });
      closed = true;
      const files_ = everyFile(dataDir);
      assert.ok(files_.some((f) => f.path.endsWith('agent-blob.log') && f.text.includes('MCP server failed')), 'the log file recorded the failure');
      assert.deepEqual(files_.filter((f) => f.text.includes(secret)).map((f) => f.path), [], 'no file of the data folder holds it');
    } finally {
      if (!closed) await t.close();
      await anthropic.close();
    }
  });

  it('a configured server starts again with the app, and its approved tools are offered without a new approval', async () => {
    const files = fixtureFiles(dir.path, 'again');
    const dataDir = join(dir.path, 'again-data');
    const first = await startTestCore({ dataDir, mcp: { backoffMs: [50] }, bundledSkillsDir: null });
    await first.client.call('mcp.add', { name: 'fixture', server: stdioServer(files), wait: true });
    await first.client.call('mcp.approve', { name: 'fixture' });
    const firstHead = first.core.log.head();
    await first.close({ keepData: true });
    const second = await startTestCore({ dataDir, mcp: { backoffMs: [50] }, bundledSkillsDir: null });
    try {
      const ready = await waitForState(second, 'fixture', 'ready', firstHead);
      assert.ok(ready.tools.length > 0 && ready.tools.every((tool) => tool.pin === 'approved' && tool.offered));
      assert.ok(second.core.tools.get('mcp__fixture__echo'));
      assert.equal(files.entries().filter((e) => e.started).length, 2, 'started once by each app');
    } finally {
      await second.close();
    }
  });
});
