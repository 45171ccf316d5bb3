import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, realpathSync, renameSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { agentExecutor } from '../../../core/agent/index.js';
import { AnthropicLoopback, startTestCore, tempDir, waitFor, type ScriptedReply, type TestCore } from '../../support/index.js';
import { toolEvents } from './helpers.js';

/** What the loop hands the permission gate: the run's scope, a command's folder, and what the tool then acts on. */
describe('the loop and the permission gate', () => {
  let anthropic: AnthropicLoopback;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(() => anthropic.close());

  async function withCore(fn: (t: TestCore, root: string) => Promise<void>): Promise<void> {
    const dir = tempDir();
    const root = join(dir.path, 'root');
    mkdirSync(root);
    const t = await startTestCore({ dataDir: join(dir.path, 'data'), allowedRoots: [root], resolveHost: null, env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url, PATH: process.env.PATH } });
    try {
      await fn(t, root);
    } finally {
      await t.close();
      dir.cleanup();
    }
  }

  const cardsOf = (t: TestCore, runId: string) => toolEvents(t.events.filter((e) => e.runId === runId));

  it('a rule scoped to a worker role applies to that role\'s runs and not to chat runs', async () => {
    await withCore(async (t, root) => {
      writeFileSync(join(root, 'notes.txt'), 'worker notes');
      await t.client.call('permissions.rules.add', { effect: 'deny', capability: 'fs.read', pattern: `${root}/**`, scope: 'worker:researcher' });
      const read: ScriptedReply = { kind: 'stream', toolCalls: [{ name: 'read_text', arguments: { path: 'notes.txt' } }] };

      anthropic.script(read, { kind: 'stream', chunks: ['read'] });
      const workerRun = t.core.log.transaction(() => t.core.runs.create({ kind: 'worker', title: 'research' }));
      const worker = await t.core.runs.start(workerRun, agentExecutor(t.core.agent, { purpose: 'worker', userMessageSeq: 0, messages: [{ role: 'user', content: 'read notes' }], scope: { workerRole: 'researcher' } }));
      assert.equal(worker.status, 'done');
      const [denied] = cardsOf(t, workerRun);
      assert.equal(denied.ok, false);
      assert.equal(denied.error?.code, 'denied');
      const decided = t.events.find((e) => e.type === 'permission.decided' && e.runId === workerRun);
      assert.ok(decided && decided.type === 'permission.decided');
      assert.deepEqual(decided.data.scope, { workerRole: 'researcher' });

      anthropic.script(read, { kind: 'stream', chunks: ['read'] });
      const { runId } = await t.client.call('chat.send', { text: 'read notes' });
      await t.core.idle();
      const [allowed] = cardsOf(t, runId);
      assert.equal(allowed.ok, true, JSON.stringify(allowed.error));
      assert.match(allowed.output, /worker notes/);
    });
  });

  it('a relative redirection of run_command is judged in the command\'s own folder', async () => {
    await withCore(async (t, root) => {
      mkdirSync(join(root, 'sub'));
      await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'shell.exec', pattern: 'echo *' });
      await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'fs.write', pattern: `${root}/sub/**` });
      await t.client.call('permissions.rules.add', { effect: 'deny', capability: 'fs.write', pattern: `${root}/*.txt` });
      anthropic.script({ kind: 'stream', toolCalls: [{ name: 'run_command', arguments: { command: 'echo hi > out.txt', cwd: 'sub' } }] }, { kind: 'stream', chunks: ['done'] });
      const { runId } = await t.client.call('chat.send', { text: 'write it in sub' });
      await t.core.idle();
      const [card] = cardsOf(t, runId);
      assert.equal(card.ok, true, JSON.stringify(card.error));
      assert.equal(readFileSync(join(root, 'sub', 'out.txt'), 'utf8'), 'hi\n');
      assert.equal(existsSync(join(root, 'out.txt')), false);
    });
  });

  it('a file tool reads the file the gate approved, even if the symlink is swapped while the run waits for an answer', async () => {
    await withCore(async (t, root) => {
      writeFileSync(join(root, 'public.txt'), 'public words');
      writeFileSync(join(root, 'secret.txt'), 'SECRET words');
      symlinkSync(join(root, 'public.txt'), join(root, 'link.txt'));
      await t.client.call('permissions.rules.add', { effect: 'ask', capability: 'fs.read', pattern: `${root}/**` });
      await t.client.call('permissions.rules.add', { effect: 'deny', capability: 'fs.read', pattern: `${root}/secret.txt` });
      anthropic.script({ kind: 'stream', toolCalls: [{ name: 'read_text', arguments: { path: 'link.txt' } }] }, { kind: 'stream', chunks: ['read'] });
      const { runId } = await t.client.call('chat.send', { text: 'read the link' });
      const request = await waitFor(async () => (await t.client.call('permissions.pending', {})).requests[0], 'request');
      assert.equal(request.resolved, join(root, 'public.txt'));
      unlinkSync(join(root, 'link.txt'));
      symlinkSync(join(root, 'secret.txt'), join(root, 'link.txt'));
      await t.client.call('permissions.answer', { requestId: request.requestId, decision: 'allow' });
      await waitFor(async () => (await t.client.call('runs.get', { runId })).status === 'done', 'done');
      const [card] = cardsOf(t, runId);
      assert.equal(card.ok, true, JSON.stringify(card.error));
      assert.match(card.output, /public words/);
      assert.doesNotMatch(card.output, /SECRET/);
    });
  });

  it('run_command runs in the folder the gate checked, even if its symlinked working folder is swapped while the run waits for an answer', async () => {
    await withCore(async (t, root) => {
      mkdirSync(join(root, 'checked'));
      mkdirSync(join(root, 'other'));
      symlinkSync(join(root, 'checked'), join(root, 'work'));
      anthropic.script({ kind: 'stream', toolCalls: [{ name: 'run_command', arguments: { command: 'pwd -P; touch made.txt', cwd: 'work' } }] }, { kind: 'stream', chunks: ['ran'] });
      const { runId } = await t.client.call('chat.send', { text: 'run it in work' });
      const request = await waitFor(async () => (await t.client.call('permissions.pending', {})).requests[0], 'request');
      unlinkSync(join(root, 'work'));
      symlinkSync(join(root, 'other'), join(root, 'work'));
      await t.client.call('permissions.answer', { requestId: request.requestId, decision: 'allow' });
      await waitFor(async () => (await t.client.call('runs.get', { runId })).status === 'done', 'done');
      const [card] = cardsOf(t, runId);
      assert.equal(card.ok, true, JSON.stringify(card.error));
      assert.ok(card.output.includes(`--- stdout\n${realpathSync(join(root, 'checked'))}\n`), card.output);
      assert.equal(existsSync(join(root, 'checked', 'made.txt')), true, 'the command ran in the folder that was checked');
      assert.equal(existsSync(join(root, 'other', 'made.txt')), false, 'never in the swapped target');
    });
  });

  it('run_command is refused when the folder the gate checked became a link while the run waited', async () => {
    await withCore(async (t, root) => {
      mkdirSync(join(root, 'checked'));
      mkdirSync(join(root, 'other'));
      anthropic.script({ kind: 'stream', toolCalls: [{ name: 'run_command', arguments: { command: 'touch made.txt', cwd: 'checked' } }] }, { kind: 'stream', chunks: ['tried'] });
      const { runId } = await t.client.call('chat.send', { text: 'run it in checked' });
      const request = await waitFor(async () => (await t.client.call('permissions.pending', {})).requests[0], 'request');
      renameSync(join(root, 'checked'), join(root, 'moved'));
      symlinkSync(join(root, 'other'), join(root, 'checked'));
      await t.client.call('permissions.answer', { requestId: request.requestId, decision: 'allow' });
      await waitFor(async () => (await t.client.call('runs.get', { runId })).status === 'done', 'done');
      const [card] = cardsOf(t, runId);
      assert.equal(card.ok, false);
      assert.match(card.error?.message ?? '', /no longer a folder; the command did not run/);
      assert.equal(existsSync(join(root, 'other', 'made.txt')), false, 'nothing ran in the link\'s target');
      assert.equal(existsSync(join(root, 'moved', 'made.txt')), false);
    });
  });

  it('run_command in a working folder outside the allowed folders is denied by the gate, without asking', async () => {
    await withCore(async (t, root) => {
      const outside = join(root, '..', 'outside');
      mkdirSync(outside);
      symlinkSync(outside, join(root, 'escape'));
      anthropic.script({ kind: 'stream', toolCalls: [{ name: 'run_command', arguments: { command: 'touch made.txt', cwd: 'escape' } }] }, { kind: 'stream', chunks: ['tried'] });
      const { runId } = await t.client.call('chat.send', { text: 'run it in escape' });
      await t.core.idle();
      const [card] = cardsOf(t, runId);
      assert.equal(card.ok, false);
      assert.equal(card.error?.code, 'denied');
      assert.match(card.error?.message ?? '', /working folder: .*outside the allowed folders/);
      assert.equal(t.events.some((e) => e.type === 'permission.requested' && e.runId === runId), false, 'nobody was asked');
      assert.equal(existsSync(join(outside, 'made.txt')), false);
    });
  });
});
