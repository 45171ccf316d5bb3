import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { alive, pidIn, startTestCore, useLoopbackProviders, waitFor } from '../../support/index.js';
import { workspace } from '../agent/helpers.js';
import { envelopeReply, isWorkerRequest, taskOf, turnsBefore } from './support.js';


// Starts a background child in the command's process group and records both pids, then waits.
const SCRIPT = 'sleep 30 & echo $! > "$1.child"; echo $$ > "$1.shell"; wait';

describe('cancelling a worker\'s parent', () => {
  const providers = useLoopbackProviders();

  it('cancels every descendant with its commands, and nothing of any of them is emitted afterwards', async () => {
    const t = await startTestCore({ env: providers.env({ PATH: process.env.PATH }) });
    try {
      await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'worker.spawn', pattern: '*' });
      await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'shell.exec', pattern: 'sh *' });
      const coder = (await t.client.call('workers.roles', {})).roles.find((r) => r.name === 'coder')!;
      const { rules: _rules, ...role } = coder;
      await t.client.call('workers.saveRole', { role: { ...role, name: 'lead', tools: [...role.tools, 'spawn_worker'] } });
      const root = workspace(t, { 'slow.sh': SCRIPT });
      providers.anthropic.respond((body) => {
        if (!isWorkerRequest(body)) return null;
        if (turnsBefore(body) > 0) return envelopeReply({ summary: 'should never be asked' });
        // The lead starts a coder and runs its own command in the same turn; the coder runs one too.
        if (taskOf(body).includes('lead the work'))
          return { kind: 'stream', toolCalls: [{ name: 'spawn_worker', arguments: { role: 'coder', task: 'do the slow part' } }, { name: 'run_command', arguments: { command: 'sh slow.sh lead' } }] };
        return { kind: 'stream', toolCalls: [{ name: 'run_command', arguments: { command: 'sh slow.sh coder' } }] };
      });
      providers.anthropic.script({ kind: 'stream', toolCalls: [{ name: 'spawn_worker', arguments: { role: 'lead', task: 'lead the work' } }] });
      const { runId } = await t.client.call('chat.send', { text: 'start the team' });
      const files = ['lead', 'coder'].flatMap((n) => [join(root, `${n}.shell`), join(root, `${n}.child`)]);
      await waitFor(() => files.every((f) => pidIn(f) !== undefined), 'both commands to start');
      const pids = files.map((f) => pidIn(f)!);
      assert.ok(pids.every(alive));
      const workers = (await t.client.call('workers.list', { status: 'active' })).workers;
      assert.deepEqual(workers.map((w) => [w.role, w.depth]).sort(), [['coder', 2], ['lead', 1]]);

      const cancelled = await t.client.call('runs.cancel', { runId });
      assert.equal(cancelled.status, 'cancelled');
      await waitFor(() => pids.every((p) => !alive(p)), 10_000, 'every process of both commands to be killed');
      await t.core.idle();
      for (const w of workers) {
        const shown = await t.client.call('workers.get', { workerId: w.id });
        assert.deepEqual([shown.status, shown.reason], ['cancelled', 'parent_cancelled'], w.role);
        assert.equal(shown.step, null);
      }
      await new Promise((r) => setTimeout(r, 100));
      for (const id of [runId, ...workers.map((w) => w.id)]) {
        const events = t.events.filter((e) => e.runId === id);
        const at = events.findIndex((e) => e.type === 'run.status' && e.data.to === 'cancelled');
        assert.equal(at, events.length - 1, `nothing of ${id} is emitted after cancelled`);
      }
      assert.deepEqual((await t.client.call('workers.list', { status: 'active' })).workers, []);
    } finally {
      providers.anthropic.respond(null);
      await t.close();
    }
  });

  it('a worker cancelled while its model request is open ends cancelled, its request aborted at the server, and the next worker still gets through', async () => {
    const t = await startTestCore({ env: providers.env() });
    try {
      providers.anthropic.respond((body) => {
        if (!isWorkerRequest(body)) return null;
        return taskOf(body) === 'wait for the model' ? { kind: 'hang' } : envelopeReply({ summary: 'done' });
      });
      const worker = t.core.workers.pool.spawn({ parentRunId: null, role: 'coder', task: 'wait for the model' });
      const record = await waitFor(() => providers.anthropic.requests.find((r) => isWorkerRequest(r.body) && taskOf(r.body) === 'wait for the model'), 'the worker\'s request to reach the server');
      const cancelled = await t.client.call('workers.cancel', { workerId: worker.id });
      assert.equal(cancelled.status, 'cancelled');
      await waitFor(() => record.aborted, 'the server to see the request aborted');
      const next = t.core.workers.pool.spawn({ parentRunId: null, role: 'coder', task: 'answer at once' });
      const [ended] = await t.core.workers.pool.wait([next.id], new AbortController().signal);
      assert.equal(ended.status, 'done');
      await t.core.idle();
      const events = t.events.filter((e) => e.runId === worker.id);
      assert.equal(events.at(-1)?.type, 'run.status', 'nothing of the cancelled worker is emitted after it ended');
    } finally {
      providers.anthropic.respond(null);
      await t.close();
    }
  });
});
