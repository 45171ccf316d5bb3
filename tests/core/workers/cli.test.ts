import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { chunk, tempDir, useLoopbackProviders } from '../../support/index.js';
import { runCli } from '../host/cli-support.js';
import { envelopeReply, isWorkerRequest } from './support.js';

describe('agent-blob workers', () => {
  const providers = useLoopbackProviders();
  const dir = tempDir();
  after(() => dir.cleanup());
  const cli = (args: string[]) => runCli([...args, '--data-dir', dir.path], { ...providers.env(), TZ: 'UTC' });

  it('roles lists the default roles with their tools, memory access and budget, and the pool limits, as text and --json', async () => {
    const json = await cli(['workers', 'roles', '--json']);
    assert.equal(json.code, 0, json.stderr);
    const shown = JSON.parse(json.stdout) as { roles: { name: string; rules: unknown[] }[]; pool: { maxRunning: number; maxDepth: number } };
    assert.deepEqual(shown.roles.map((r) => r.name), ['researcher', 'coder', 'writer']);
    assert.deepEqual(shown.pool, { maxRunning: 3, maxDepth: 2 });
    const text = await cli(['workers', 'roles']);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /pool: at most 3 running, nested at most 2 deep/);
    assert.match(text.stdout, /^coder: .*\n {2}model: \(worker route\); memory: none; budget: 400000 tokens/m);
  });

  it('list says there are none, and show and cancel of an unknown worker fail with a clear error', async () => {
    const list = await cli(['workers', 'list']);
    assert.equal(list.code, 0, list.stderr);
    assert.equal(list.stdout, 'no workers\n');
    assert.deepEqual(JSON.parse((await cli(['workers', 'list', '--active', '--json'])).stdout), { workers: [] });
    for (const command of ['show', 'cancel']) {
      const r = await cli(['workers', command, 'run_nope']);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /no worker run_nope/);
    }
    const missing = await cli(['workers', 'show']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /needs exactly one worker id/);
  });

  it('after a chat that used a worker, list shows it with parent, times, tokens and cost, show prints its result and transcript, and its file is in the timeline and opens by id', async () => {
    const rule = await cli(['permissions', 'rules', 'add', '--effect', 'allow', '--capability', 'worker.spawn', '--pattern', '*']);
    assert.equal(rule.code, 0, rule.stderr);
    providers.anthropic.respond((body) => (isWorkerRequest(body) ? envelopeReply({ summary: 'The meeting is on Tuesday.', artifacts: [{ name: 'meeting.md', content: '# Tuesday' }], errors: ['the second calendar was empty'] }) : null));
    providers.anthropic.script({ kind: 'stream', toolCalls: [{ name: 'spawn_worker', arguments: { role: 'researcher', task: 'find the meeting day' } }] }, { kind: 'stream', chunks: chunk('Tuesday.', 3) });
    try {
      const chat = await cli(['chat', 'when is the meeting?']);
      assert.equal(chat.code, 0, chat.stderr);
    } finally {
      providers.anthropic.respond(null);
    }
    const { workers } = JSON.parse((await cli(['workers', 'list', '--json'])).stdout) as { workers: Record<string, unknown>[] };
    assert.equal(workers.length, 1);
    const w = workers[0];
    assert.deepEqual([w.role, w.task, w.status, w.tokens, w.costUsd === 0 || typeof w.costUsd === 'number'], ['researcher', 'find the meeting day', 'done', 52, true]);
    assert.match(String(w.parentRunId), /^run_/);
    assert.ok(typeof w.startedAt === 'number' && typeof w.endedAt === 'number');
    const table = await cli(['workers', 'list']);
    assert.match(table.stdout, /^ID +ROLE +STATUS +TASK +PARENT RUN +STARTED \(UTC\) +ENDED \(UTC\) +TOKENS +COST/);
    assert.match(table.stdout, /researcher +done +find the meeting day/);
    const shown = await cli(['workers', 'show', String(w.id)]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /summary: The meeting is on Tuesday\./);
    assert.match(shown.stdout, /reported error: the second calendar was empty/);
    assert.match(shown.stdout, /transcript:\nuser: find the meeting day\nassistant: \{"summary"/);
    const [, artifactId] = /artifact (art_\S+): meeting\.md \(text\/markdown, 9 bytes\); agent-blob workers artifact/.exec(shown.stdout) ?? [];
    assert.ok(artifactId, `the transcript names the file:\n${shown.stdout}`);
    const timeline = await cli(['timeline']);
    assert.equal(timeline.code, 0, timeline.stderr);
    assert.match(timeline.stdout, new RegExp(`artifact meeting\\.md \\(text/markdown, 9 bytes\\) from the researcher worker ${w.id} \\[${artifactId}, ${w.id}/meeting\\.md, thread worker:${w.id}\\]`));
    const file = await cli(['workers', 'artifact', artifactId]);
    assert.equal(file.code, 0, file.stderr);
    assert.match(file.stdout, new RegExp(`^artifact ${artifactId}: meeting\\.md \\(text/markdown, 9 bytes\\) from worker ${w.id}\npath: .*/artifacts/${w.id}/meeting\\.md\n\n# Tuesday\n$`));
    const cancel = await cli(['workers', 'cancel', String(w.id)]);
    assert.notEqual(cancel.code, 0);
    assert.match(cancel.stderr, /already ended/);
  });
});
