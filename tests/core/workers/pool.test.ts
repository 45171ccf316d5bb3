import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chunk, startTestCore, useLoopbackProviders, waitFor, type TestCore } from '../../support/index.js';
import { countCommits } from '../../support/wal.js';
import { envelopeReply, isWorkerRequest, maxRunningAtOnce, statusMoves, taskOf, toolResults, turnsBefore } from './support.js';

describe('the worker pool', () => {
  const providers = useLoopbackProviders();
  let seen = 0;
  /** The chat's own model requests in this test, oldest first. */
  const parentRequests = () => providers.anthropic.requests.slice(seen).filter((r) => r.path === '/v1/messages' && !isWorkerRequest(r.body));
  const start = async (): Promise<TestCore> => {
    const t = await startTestCore({ env: providers.env() });
    await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'worker.spawn', pattern: '*' });
    seen = providers.anthropic.requests.length;
    return t;
  };

  it('20 spawns with a cap of 3: never more than 3 run at once, all finish, in the order they were asked for', async () => {
    const t = await start();
    try {
      providers.anthropic.respond((body) => (isWorkerRequest(body) ? envelopeReply({ summary: `done: ${taskOf(body)}` }, 1) : null));
      const parent = t.core.log.transaction(() => t.core.runs.create({ kind: 'chat', title: 'parent' }));
      const ids = Array.from({ length: 20 }, (_, i) => t.core.workers.pool.spawn({ parentRunId: parent, role: 'researcher', task: `task ${i}` }).id);
      const workers = await t.core.workers.pool.wait(ids, new AbortController().signal);
      assert.deepEqual(workers.map((w) => w.status), Array(20).fill('done'));
      assert.deepEqual(workers.map((w) => t.core.workers.queries.envelope(w.id)?.summary), ids.map((_, i) => `done: task ${i}`));
      const idSet = new Set(ids);
      assert.equal(maxRunningAtOnce(t.events, idSet), 3, 'three at once, never more');
      const started = statusMoves(t.events).filter((m) => idSet.has(m.runId) && m.to === 'running').map((m) => m.runId);
      assert.deepEqual(started, ids, 'started in the order they were asked for');
    } finally {
      providers.anthropic.respond(null);
      await t.close();
    }
  });

  it('a worker writes three transactions: its spawn, its start with its first message, its end with its result', async () => {
    const t = await start();
    try {
      providers.anthropic.respond((body) => (isWorkerRequest(body) ? envelopeReply({ summary: 'counted' }) : null));
      // What each of the event log's transactions published, and, to be sure nothing writes beside
      // them, every write transaction the database committed (its WAL's commit frames).
      const published: string[][] = [];
      let current: string[] | null = null;
      const transaction = t.core.log.transaction.bind(t.core.log);
      t.core.log.transaction = <T>(fn: () => T): T => {
        if (current) return transaction(fn);
        current = [];
        try {
          return transaction(fn);
        } finally {
          if (current.length) published.push(current);
          current = null;
        }
      };
      const unsubscribe = t.core.log.subscribe(t.core.log.head(), (event) => current?.push(event.type === 'run.status' ? `run.status ${event.data.to}` : event.type));
      const writes = countCommits(t.core.db);
      let committed: number;
      let workerId: string;
      try {
        workerId = t.core.workers.pool.spawn({ parentRunId: null, role: 'writer', task: 'count the writes' }).id;
        const [ended] = await t.core.workers.pool.wait([workerId], new AbortController().signal);
        await t.core.idle();
        assert.equal(ended.status, 'done');
        committed = writes.commits();
      } finally {
        writes.stop();
        unsubscribe();
      }
      assert.deepEqual(published, [
        ['run.created', 'worker.spawned'],
        ['run.status running', 'message.created'],
        // A reply this short is held back by the stream's key masking and arrives whole with message.completed.
        ['run.usage', 'run.model', 'message.completed', 'worker.result', 'run.status done'],
      ]);
      assert.equal(committed, 3, 'the database committed three write transactions, no more');
      const recording = t.core.agent.store.recording(workerId).map((step) => step.kind);
      assert.deepEqual(recording, ['input', 'model'], 'the recorded input and model step commit with them');
    } finally {
      providers.anthropic.respond(null);
      await t.close();
    }
  });

  it('workers of two parents take turns in the queue', async () => {
    const t = await start();
    try {
      await t.client.call('workers.setPool', { maxRunning: 1 });
      providers.anthropic.respond((body) => (isWorkerRequest(body) ? envelopeReply({ summary: 'ok' }) : null));
      const [a, b] = ['a', 'b'].map((title) => t.core.log.transaction(() => t.core.runs.create({ kind: 'chat', title })));
      const fromA = [0, 1, 2].map((i) => t.core.workers.pool.spawn({ parentRunId: a, role: 'writer', task: `a${i}` }).id);
      const fromB = [0, 1, 2].map((i) => t.core.workers.pool.spawn({ parentRunId: b, role: 'writer', task: `b${i}` }).id);
      await t.core.workers.pool.wait([...fromA, ...fromB], new AbortController().signal);
      const order = statusMoves(t.events).filter((m) => m.to === 'running').map((m) => t.core.workers.queries.get(m.runId)!.task);
      assert.deepEqual(order, ['a0', 'b0', 'a1', 'b1', 'a2', 'b2']);
    } finally {
      providers.anthropic.respond(null);
      await t.close();
    }
  });

  it('two spawn_worker calls in one turn run side by side; both envelopes reach the parent\'s next request and neither transcript does', async () => {
    const t = await start();
    try {
      providers.anthropic.respond((body) => {
        if (!isWorkerRequest(body)) return null;
        const name = taskOf(body).includes('alpha') ? 'ALPHA' : 'BETA';
        // First turn: private notes and a tool call; second turn: the envelope.
        if (turnsBefore(body) === 0) return { kind: 'stream', chunks: [`scratch notes ${name}-INTERNAL `], toolCalls: [{ name: 'current_time', arguments: {} }], delayMs: 5 };
        return envelopeReply({ summary: `${name} summary`, artifacts: [{ name: `${name.toLowerCase()}.md`, content: `# ${name}` }] }, 2);
      });
      providers.anthropic.script(
        { kind: 'stream', chunks: ['Asking two workers.'], toolCalls: [{ name: 'spawn_worker', arguments: { role: 'researcher', task: 'research alpha' } }, { name: 'spawn_worker', arguments: { role: 'writer', task: 'write beta' } }] },
        { kind: 'stream', chunks: chunk('Both are back.', 4) },
      );
      const { runId } = await t.client.call('chat.send', { text: 'do two things at once' });
      await waitFor(async () => (await t.client.call('runs.get', { runId })).status === 'done', 'the chat turn to end');
      const workers = (await t.client.call('workers.list', { status: 'all' })).workers;
      assert.equal(workers.length, 2);
      assert.ok(workers.every((w) => w.status === 'done' && w.parentRunId === runId && w.depth === 1));
      const ids = new Set(workers.map((w) => w.id));
      const moves = statusMoves(t.events).filter((m) => ids.has(m.runId));
      const firstDone = moves.findIndex((m) => m.to === 'done');
      assert.equal(moves.slice(0, firstDone).filter((m) => m.to === 'running').length, 2, 'both ran before either ended');

      assert.equal(parentRequests().length, 2);
      const next = parentRequests()[1].body;
      const results = toolResults(next).map((r) => JSON.parse(r) as { summary: string; artifacts: { name: string }[]; status: string });
      assert.deepEqual(results.map((r) => [r.status, r.summary, r.artifacts.map((a) => a.name)]), [['done', 'ALPHA summary', ['alpha.md']], ['done', 'BETA summary', ['beta.md']]]);
      assert.doesNotMatch(JSON.stringify(next), /INTERNAL|scratch notes/, 'no worker transcript in the parent\'s request');
      const artifacts = t.events.filter((e) => e.type === 'artifact.created');
      assert.equal(artifacts.length, 2);
    } finally {
      providers.anthropic.respond(null);
      await t.close();
    }
  });

  it('a worker at the maximum depth gets a clear tool error when it tries to spawn', async () => {
    const t = await start();
    try {
      const researcher = (await t.client.call('workers.roles', {})).roles.find((r) => r.name === 'researcher')!;
      const { rules: _rules, ...role } = researcher;
      await t.client.call('workers.saveRole', { role: { ...role, tools: [...role.tools, 'spawn_worker'] } });
      providers.anthropic.respond((body) => {
        if (!isWorkerRequest(body)) return null;
        const task = taskOf(body);
        const level = Number(/level (\d)/.exec(task)?.[1]);
        if (turnsBefore(body) === 0) return { kind: 'stream', toolCalls: [{ name: 'spawn_worker', arguments: { role: 'researcher', task: `level ${level + 1}` } }] };
        const results = toolResults(body);
        return envelopeReply({ summary: `level ${level} heard: ${results.join(' | ').slice(0, 400)}` });
      });
      providers.anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'spawn_worker', arguments: { role: 'researcher', task: 'level 1' } }] },
        { kind: 'stream', chunks: ['ok'] },
      );
      const { runId } = await t.client.call('chat.send', { text: 'go deep' });
      await waitFor(async () => (await t.client.call('runs.get', { runId })).status === 'done', 'the chat turn to end');
      const workers = (await t.client.call('workers.list', { status: 'all' })).workers;
      assert.deepEqual(workers.map((w) => [w.task, w.depth, w.status]).sort(), [['level 1', 1, 'done'], ['level 2', 2, 'done']]);
      const deepest = workers.find((w) => w.depth === 2)!;
      const refused = t.events.find((e) => e.runId === deepest.id && e.type === 'tool.completed');
      assert.ok(refused && refused.type === 'tool.completed');
      assert.equal(refused.data.ok, false);
      assert.equal(refused.data.error?.code, 'denied');
      assert.match(refused.data.error!.message, /workers nest at most 2 deep/);
      assert.match(t.core.workers.queries.envelope(deepest.id)!.summary, /nest at most 2 deep/);
    } finally {
      providers.anthropic.respond(null);
      await t.close();
    }
  });

  it('a worker waiting for its own worker lends it its place, so a pool of one does not deadlock', async () => {
    const t = await start();
    try {
      await t.client.call('workers.setPool', { maxRunning: 1 });
      const researcher = (await t.client.call('workers.roles', {})).roles.find((r) => r.name === 'researcher')!;
      const { rules: _rules, ...role } = researcher;
      await t.client.call('workers.saveRole', { role: { ...role, name: 'lead', tools: ['spawn_worker'] } });
      providers.anthropic.respond((body) => {
        if (!isWorkerRequest(body)) return null;
        if (taskOf(body).includes('plan')) {
          if (turnsBefore(body) === 0) return { kind: 'stream', toolCalls: [{ name: 'spawn_worker', arguments: { role: 'researcher', task: 'look it up' } }] };
          return envelopeReply({ summary: `planned with ${toolResults(body).length} result` });
        }
        return envelopeReply({ summary: 'looked it up' });
      });
      const lead = t.core.workers.pool.spawn({ parentRunId: null, role: 'lead', task: 'plan the trip' });
      const other = t.core.workers.pool.spawn({ parentRunId: null, role: 'researcher', task: 'unrelated' });
      const [ended] = await t.core.workers.pool.wait([lead.id, other.id], new AbortController().signal);
      assert.equal(ended.status, 'done');
      assert.equal(t.core.workers.queries.envelope(lead.id)?.summary, 'planned with 1 result');
      const child = t.core.workers.queries.childrenOf(lead.id);
      assert.deepEqual(child.map((c) => [c.task, c.status, c.depth]), [['look it up', 'done', 2]]);
      const ids = new Set([lead.id, other.id, child[0].id]);
      // The lead waits (lending its place) while its child runs; the unrelated worker still waits its turn.
      const started = statusMoves(t.events).filter((m) => ids.has(m.runId) && m.to === 'running').map((m) => m.runId);
      assert.deepEqual(started, [lead.id, child[0].id, other.id]);
      assert.equal(t.core.queue.currentLimits().perKind.worker, 1, 'the place is given back');
    } finally {
      providers.anthropic.respond(null);
      await t.close();
    }
  });

  it('a malformed envelope fails the worker invalid_envelope, and the parent gets that error instead of a result', async () => {
    const t = await start();
    try {
      providers.anthropic.respond((body) => (isWorkerRequest(body) ? { kind: 'stream', chunks: chunk('I looked around and found nothing much.', 8) } : null));
      providers.anthropic.script({ kind: 'stream', toolCalls: [{ name: 'spawn_worker', arguments: { role: 'researcher', task: 'look around' } }] }, { kind: 'stream', chunks: ['It failed.'] });
      const { runId } = await t.client.call('chat.send', { text: 'look' });
      await waitFor(async () => (await t.client.call('runs.get', { runId })).status === 'done', 'the chat turn to end');
      const [worker] = (await t.client.call('workers.list', { status: 'all' })).workers;
      assert.equal(worker.status, 'failed');
      assert.equal(worker.reason, 'invalid_envelope');
      assert.match(worker.error ?? '', /not JSON/);
      const shown = await t.client.call('workers.get', { workerId: worker.id });
      assert.equal(shown.envelope, null);
      assert.ok(shown.transcript.some((e) => e.kind === 'error' && e.code === 'invalid_envelope'));
      const next = parentRequests()[1].body;
      const [result] = toolResults(next).map((r) => JSON.parse(r) as { status: string; reason: string; errors: string[] });
      assert.equal(result.status, 'failed');
      assert.equal(result.reason, 'invalid_envelope');
      assert.match(result.errors[0], /not JSON/);
    } finally {
      providers.anthropic.respond(null);
      await t.close();
    }
  });

  it('a worker over its token budget or its wall time is stopped budget_exceeded', async () => {
    const t = await start();
    try {
      const roles = (await t.client.call('workers.roles', {})).roles.map(({ rules: _r, ...role }) => role);
      const writer = roles.find((r) => r.name === 'writer')!;
      await t.client.call('workers.saveRole', { role: { ...writer, name: 'tiny', budget: { tokens: 10, costUsd: null, wallTimeSec: null } } });
      await t.client.call('workers.saveRole', { role: { ...writer, name: 'slow', budget: { tokens: null, costUsd: null, wallTimeSec: 1 } } });
      providers.anthropic.respond((body) => (isWorkerRequest(body) ? { kind: 'hang' } : null));
      const tiny = t.core.workers.pool.spawn({ parentRunId: null, role: 'tiny', task: 'write a long essay' });
      const slow = t.core.workers.pool.spawn({ parentRunId: null, role: 'slow', task: 'take forever' });
      const [a, b] = await t.core.workers.pool.wait([tiny.id, slow.id], new AbortController().signal);
      assert.deepEqual([a.status, a.reason], ['failed', 'budget_exceeded']);
      assert.deepEqual([b.status, b.reason], ['failed', 'budget_exceeded']);
      assert.match(b.error ?? '', /wall time budget \(1 s\)/);
      await t.core.idle();
      const slowEvents = t.events.filter((e) => e.runId === slow.id);
      assert.equal(slowEvents.at(-1)?.type, 'run.status', 'nothing after the final status');
    } finally {
      providers.anthropic.respond(null);
      await t.close();
    }
  });

  it('"what workers are active?" is answered from the registry through list_workers', async () => {
    const t = await start();
    try {
      providers.anthropic.respond((body) => (isWorkerRequest(body) ? { kind: 'hang' } : null));
      providers.anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'spawn_worker', arguments: { role: 'coder', task: 'refactor the parser', wait: false } }] },
        { kind: 'stream', chunks: ['Started.'] },
      );
      const first = await t.client.call('chat.send', { text: 'start a coder' });
      await waitFor(async () => (await t.client.call('runs.get', { runId: first.runId })).status === 'done', 'the first turn to end');
      const [worker] = (await t.client.call('workers.list', { status: 'active' })).workers;
      assert.equal(worker.role, 'coder');
      providers.anthropic.script({ kind: 'stream', toolCalls: [{ name: 'list_workers', arguments: {} }] }, { kind: 'stream', chunks: ['One coder is working.'] });
      const second = await t.client.call('chat.send', { text: 'what workers are active?' });
      await waitFor(async () => (await t.client.call('runs.get', { runId: second.runId })).status === 'done', 'the second turn to end');
      const listed = t.events.find((e) => e.runId === second.runId && e.type === 'tool.completed');
      assert.ok(listed && listed.type === 'tool.completed' && listed.data.ok);
      assert.match(listed.data.output, new RegExp(`${worker.id} coder running.*"refactor the parser"`));
      const cancelled = await t.client.call('workers.cancel', { workerId: worker.id });
      assert.equal(cancelled.status, 'cancelled');
      assert.equal(cancelled.reason, 'cancelled_by_user');
    } finally {
      providers.anthropic.respond(null);
      await t.close();
    }
  });
});
