import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AppError } from '../../../core/contract/index.js';
import { parseEnvelope, safeFileName } from '../../../core/workers/index.js';
import { startTestCore, tempDir, type TestCore } from '../../support/index.js';

/** Records a worker run the way the pool does: its run and `worker.spawned` in one transaction. */
function recordWorker(t: TestCore, input: { role: string; task: string; parentRunId?: string | null; depth?: number }): string {
  return t.core.log.transaction(() => {
    const runId = t.core.runs.create({ kind: 'worker', title: `${input.role}: ${input.task}`, parentRunId: input.parentRunId ?? null });
    t.core.log.append('worker.spawned', { role: input.role, task: input.task, parentRunId: input.parentRunId ?? null, depth: input.depth ?? 1 }, runId);
    return runId;
  });
}

describe('worker roles', () => {
  it('a fresh data folder has the researcher, coder and writer roles and a pool of 3 running, depth 2', async () => {
    const t = await startTestCore();
    try {
      const { roles, pool } = await t.client.call('workers.roles', {});
      assert.deepEqual(roles.map((r) => r.name), ['researcher', 'coder', 'writer']);
      assert.deepEqual(pool, { maxRunning: 3, maxDepth: 2 });
      for (const role of roles) {
        assert.ok(role.systemPrompt.length > 20, `${role.name} has instructions`);
        assert.ok(role.tools.length > 0, `${role.name} has tools`);
        assert.ok(role.budget.tokens !== null && role.budget.wallTimeSec !== null, `${role.name} has a budget`);
      }
      assert.equal(roles.find((r) => r.name === 'coder')!.memory, 'none');
    } finally {
      await t.close();
    }
  });

  it('a saved role, a removed role and the pool limits are kept across a restart, with the rules scoped to the role', async () => {
    const dir = tempDir();
    try {
      let t = await startTestCore({ dataDir: dir.path });
      await t.client.call('workers.saveRole', {
        role: { name: 'translator', description: 'Translates text', systemPrompt: 'Translate faithfully.', model: 'anthropic:claude-loopback', tools: ['read_text'], memory: 'none', budget: { tokens: 1000, costUsd: null, wallTimeSec: 60 } },
      });
      await t.client.call('workers.removeRole', { name: 'coder' });
      await t.client.call('workers.setPool', { maxRunning: 5 });
      await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'worker.spawn', pattern: '*', scope: 'worker:translator' });
      await t.close({ keepData: true });

      t = await startTestCore({ dataDir: dir.path });
      const { roles, pool } = await t.client.call('workers.roles', {});
      assert.deepEqual(roles.map((r) => r.name), ['researcher', 'writer', 'translator']);
      const translator = roles.find((r) => r.name === 'translator')!;
      assert.equal(translator.model, 'anthropic:claude-loopback');
      assert.deepEqual(translator.rules.map((r) => [r.effect, r.capability, r.scope]), [['allow', 'worker.spawn', 'worker:translator']]);
      assert.deepEqual(roles.find((r) => r.name === 'researcher')!.rules, []);
      assert.deepEqual(pool, { maxRunning: 5, maxDepth: 2 });
      await t.close({ keepData: true });
    } finally {
      dir.cleanup();
    }
  });

  it('a malformed role or pool is invalid_input and changes nothing', async () => {
    const t = await startTestCore();
    try {
      const good = { name: 'x', description: '', systemPrompt: 'Do it.', model: null, tools: [], memory: 'none' as const, budget: { tokens: null, costUsd: null, wallTimeSec: null } };
      for (const role of [{ ...good, name: 'Bad Name' }, { ...good, systemPrompt: '   ' }, { ...good, memory: 'all' }, { ...good, budget: { tokens: 0, costUsd: null, wallTimeSec: null } }]) {
        await assert.rejects(t.client.call('workers.saveRole', { role } as never), (err: AppError) => err.code === 'invalid_input', JSON.stringify(role));
      }
      await assert.rejects(t.client.call('workers.setPool', { maxRunning: 0 }), (err: AppError) => err.code === 'invalid_input');
      await assert.rejects(t.client.call('workers.setPool', { maxDepth: 9 }), (err: AppError) => err.code === 'invalid_input');
      await assert.rejects(t.client.call('workers.removeRole', { name: 'nobody' }), (err: AppError) => err.code === 'not_found');
      const { roles, pool } = await t.client.call('workers.roles', {});
      assert.equal(roles.length, 3);
      assert.deepEqual(pool, { maxRunning: 3, maxDepth: 2 });
    } finally {
      await t.close();
    }
  });
});

describe('the result envelope', () => {
  it('a JSON object, bare or in a json fence, is an envelope with artifacts and errors defaulted', () => {
    const bare = parseEnvelope('{"summary": "Found 3 sources."}');
    assert.deepEqual(bare, { ok: true, envelope: { summary: 'Found 3 sources.', artifacts: [], errors: [] } });
    const fenced = parseEnvelope('```json\n{"summary": "ok", "artifacts": [{"name": "a.md", "content": "# A"}], "errors": ["one page was gone"]}\n```');
    assert.ok(fenced.ok);
    assert.deepEqual(fenced.envelope.artifacts, [{ name: 'a.md', content: '# A' }]);
    assert.deepEqual(fenced.envelope.errors, ['one page was gone']);
  });

  it('prose, an empty summary, a wrong type or too many artifacts is rejected with what was wrong', () => {
    const cases: [string | null, RegExp][] = [
      [null, /ended without a result/],
      ['Here is what I found: three sources.', /not JSON/],
      ['{"summary": ""}', /summary: the summary is empty/],
      ['{"summary": "x", "artifacts": "a.md"}', /artifacts/],
      ['{"summary": "x", "errors": [1]}', /errors\.0/],
      [JSON.stringify({ summary: 'x', artifacts: Array.from({ length: 21 }, (_, i) => ({ name: `${i}.txt`, content: '' })) }), /at most 20 artifacts/],
      ['[1, 2]', /result/],
    ];
    for (const [text, error] of cases) {
      const parsed = parseEnvelope(text);
      assert.equal(parsed.ok, false, String(text));
      assert.match((parsed as { error: string }).error, error, String(text));
    }
  });
});

describe('artifacts', () => {
  it('a file name cannot leave its folder', () => {
    assert.equal(safeFileName('../../etc/passwd'), 'passwd');
    assert.equal(safeFileName('..\\..\\boot.ini'), 'boot.ini');
    assert.equal(safeFileName('..'), 'artifact.txt');
    assert.equal(safeFileName('a:b?.md'), 'a_b_.md');
  });

  it('artifacts are files in the data folder with a row each, listed by run and readable by id', async () => {
    const t = await startTestCore();
    try {
      const runId = recordWorker(t, { role: 'writer', task: 'write two notes' });
      const store = t.core.workers.artifacts;
      const written = store.write(runId, [
        { name: 'notes.md', content: '# Notes\nhello' },
        { name: '../notes.md', type: 'text/plain', content: 'second' },
      ]);
      t.core.log.transaction(() => store.record(runId, written));
      const rows = store.ofRunId(runId);
      assert.deepEqual(rows.map((a) => [a.name, a.type, a.size]), [['notes.md', 'text/markdown', 13], ['../notes.md', 'text/plain', 6]]);
      const first = await t.client.call('workers.artifact', { artifactId: rows[0].id });
      assert.equal(first.text, '# Notes\nhello');
      assert.ok(first.path.startsWith(join(t.dataDir, 'artifacts', runId)), first.path);
      const second = await t.client.call('workers.artifact', { artifactId: rows[1].id });
      assert.ok(second.path.startsWith(join(t.dataDir, 'artifacts', runId)), 'a name with .. stays in the run folder');
      assert.notEqual(second.path, first.path, 'two artifacts of one name do not overwrite each other');
      assert.equal(readFileSync(second.path, 'utf8'), 'second');
      const created = t.events.filter((e) => e.type === 'artifact.created');
      assert.equal(created.length, 2);
      await assert.rejects(t.client.call('workers.artifact', { artifactId: 'art_missing' }), (err: AppError) => err.code === 'not_found');
    } finally {
      await t.close();
    }
  });

  it('files whose events never committed are removed', async () => {
    const t = await startTestCore();
    try {
      const runId = recordWorker(t, { role: 'writer', task: 'w' });
      const written = t.core.workers.artifacts.write(runId, [{ name: 'draft.md', content: 'x' }]);
      const path = join(t.dataDir, 'artifacts', written[0].path);
      assert.ok(existsSync(path));
      t.core.workers.artifacts.discard(written);
      assert.equal(existsSync(path), false);
    } finally {
      await t.close();
    }
  });
});

describe('the worker registry', () => {
  it('lists a worker with its parent, tokens, cost and current step, and shows its transcript and result', async () => {
    const t = await startTestCore();
    try {
      const parent = t.core.log.transaction(() => t.core.runs.create({ kind: 'chat', title: 'parent' }));
      const id = recordWorker(t, { role: 'researcher', task: 'find the sources', parentRunId: parent });
      let worker = (await t.client.call('workers.list', { status: 'active' })).workers[0];
      assert.equal(worker.id, id);
      assert.equal(worker.status, 'queued');
      assert.equal(worker.step, 'queued');
      assert.equal(worker.parentRunId, parent);
      const log = t.core.log;
      log.transaction(() => {
        t.core.runs.transition(id, 'running');
        log.append('message.created', { messageId: 'm1', role: 'assistant', text: '', status: 'streaming' }, id);
        log.append('message.delta', { messageId: 'm1', text: 'Looking' }, id);
      });
      assert.equal((await t.client.call('workers.list', { status: 'active' })).workers[0].step, 'writing');
      log.transaction(() => {
        log.append('message.completed', { messageId: 'm1', text: 'Looking.', status: 'done', model: 'claude-loopback' }, id);
        log.append('run.usage', { model: 'claude-loopback', purpose: 'worker', inputTokens: 100, outputTokens: 20, cacheReadTokens: 5, cacheWriteTokens: 0, costUsd: 0.25 }, id);
        log.append('tool.started', { callId: 'c1', tool: 'read_text', args: '{"path":"a.md"}', capability: 'fs.read', resource: '/a.md' }, id);
      });
      worker = (await t.client.call('workers.list', { status: 'active' })).workers[0];
      assert.equal(worker.step, 'tool read_text');
      assert.equal(worker.tokens, 125);
      assert.equal(worker.costUsd, 0.25);
      log.transaction(() => {
        log.append('tool.completed', { callId: 'c1', tool: 'read_text', ok: true, output: 'A', error: null }, id);
        log.append('worker.result', { summary: 'Two sources.', artifacts: [], errors: [] }, id);
        t.core.runs.transition(id, 'done');
      });
      assert.deepEqual((await t.client.call('workers.list', { status: 'active' })).workers, []);
      const shown = await t.client.call('workers.get', { workerId: id });
      assert.equal(shown.status, 'done');
      assert.equal(shown.step, null);
      assert.deepEqual(shown.envelope, { summary: 'Two sources.', artifacts: [], errors: [] });
      assert.deepEqual(
        shown.transcript.map((e) => (e.kind === 'message' ? `${e.role}: ${e.text}` : e.kind === 'tool_call' ? `${e.tool} ${e.status} ${e.output}` : e.kind === 'error' ? e.message : `file ${e.name}`)),
        ['user: find the sources', 'assistant: Looking.', 'read_text ok A'],
      );
      await assert.rejects(t.client.call('workers.get', { workerId: 'run_nope' }), (err: AppError) => err.code === 'not_found');
      await assert.rejects(t.client.call('workers.cancel', { workerId: parent }), (err: AppError) => err.code === 'not_found', 'a chat run is not a worker');
    } finally {
      await t.close();
    }
  });

  it('after a crash every unfinished worker is failed: interrupted; the chat shows each of its workers once, as its result, and a worker hears of its own in its thread', async () => {
    const dir = tempDir();
    try {
      let t = await startTestCore({ dataDir: dir.path });
      const parent = t.core.log.transaction(() => t.core.runs.create({ kind: 'chat', title: 'parent' }));
      const running = recordWorker(t, { role: 'researcher', task: 'read everything', parentRunId: parent });
      const queued = recordWorker(t, { role: 'writer', task: 'write it up', parentRunId: parent });
      const grandchild = recordWorker(t, { role: 'coder', task: 'count the words', parentRunId: running, depth: 2 });
      t.core.log.transaction(() => t.core.runs.transition(running, 'running'));
      t.core.log.transaction(() => t.core.runs.transition(grandchild, 'running'));
      // A dead process leaves its folder as it was: close the database without ending the runs.
      t.client.close();
      t.core.db.close();
      t.core.lock.release();

      t = await startTestCore({ dataDir: dir.path });
      const workers = (await t.client.call('workers.list', { status: 'all' })).workers;
      assert.deepEqual(
        workers.map((w) => [w.id, w.status, w.reason]).sort(),
        [[queued, 'failed', 'interrupted'], [running, 'failed', 'interrupted'], [grandchild, 'failed', 'interrupted']].sort(),
      );
      const { items } = await t.client.call('timeline.list', { limit: 100 });
      for (const [id, task] of [[running, 'read everything'], [queued, 'write it up']]) {
        const about = items.filter((i) => i.runId === id || (i.kind === 'error' && i.message.includes(id)));
        assert.deepEqual(
          about.map((i) => [i.kind, i.kind === 'run_result' ? i.status : null, i.kind === 'run_result' ? i.title : null]),
          [['run_result', 'interrupted', task]],
          `one item in the chat for ${task}`,
        );
      }
      assert.equal(items.filter((i) => i.runId === grandchild || (i.kind === 'error' && i.message.includes(grandchild))).length, 0, "a worker's worker posts nothing into the chat");
      const inParent = (await t.client.call('timeline.list', { limit: 100, threadId: t.core.runs.threadOf(running) })).items;
      const told = inParent.filter((i) => i.kind === 'error' && i.code === 'worker_interrupted' && i.runId === running);
      assert.equal(told.length, 1, 'the parent worker is told of its interrupted worker in its own thread');
      assert.ok(told[0].kind === 'error' && told[0].message.includes('count the words'));
      await t.close({ keepData: true });
    } finally {
      dir.cleanup();
    }
  });
});
