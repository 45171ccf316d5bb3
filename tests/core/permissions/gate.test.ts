import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { waitFor } from '../../support/index.js';
import { eventsOf, startGateCore } from './support.js';

const write = (path: string) => ({ capability: 'fs.write' as const, resource: path, tool: 'write_text', argsSummary: `write ${path}` });

describe('the permission gate', () => {
  it('an ask parks the run in waiting_permission, persists the request and notifies; allow once lets the call run', async () => {
    const t = await startGateCore();
    try {
      const file = join(t.root, 'notes', 'a.md');
      const { runId, decision, done } = t.gatedRun(write(file));
      await waitFor(async () => (await t.client.call('runs.get', { runId })).status === 'waiting_permission', 'waiting');
      const { requests } = await t.client.call('permissions.pending', {});
      assert.equal(requests.length, 1);
      assert.equal(requests[0].resource, file);
      assert.equal(requests[0].runId, runId);
      assert.equal(t.notices.length, 1);
      assert.match(t.notices[0].body, /write_text/);
      assert.equal(t.executed.length, 0, 'nothing ran while waiting');
      const answer = await t.client.call('permissions.answer', { requestId: requests[0].requestId, decision: 'allow' });
      assert.equal(answer.entry.decision, 'allow');
      assert.equal(answer.entry.answer, 'once');
      assert.equal((await decision).decision, 'allow');
      await done;
      assert.equal((await t.client.call('runs.get', { runId })).status, 'done');
      assert.equal(t.executed.length, 1);
      const statuses = t.events.filter((e) => e.type === 'run.status' && e.runId === runId).map((e) => (e.type === 'run.status' ? e.data.to : ''));
      assert.deepEqual(statuses, ['running', 'waiting_permission', 'running', 'done']);
      assert.deepEqual((await t.client.call('permissions.pending', {})).requests, []);
    } finally {
      await t.close();
      t.rootDir.cleanup();
    }
  });

  it('two concurrent answers to one request produce one decision; the second returns the first', async () => {
    const t = await startGateCore();
    try {
      const { decision } = t.gatedRun(write(join(t.root, 'x.txt')));
      const requestId = await waitFor(async () => (await t.client.call('permissions.pending', {})).requests[0]?.requestId, 'request');
      const [a, b] = await Promise.all([
        t.client.call('permissions.answer', { requestId, decision: 'deny' }),
        t.client.call('permissions.answer', { requestId, decision: 'allow' }),
      ]);
      assert.equal(a.alreadyAnswered, false);
      assert.equal(b.alreadyAnswered, true);
      assert.equal(b.entry.decision, 'deny', 'the second answer reports the first decision');
      assert.equal((await decision).decision, 'deny');
      await t.core.idle();
      const decided = eventsOf(t.events, 'permission.decided').filter((e) => e.data.requestId === requestId);
      assert.equal(decided.length, 1);
      assert.equal(t.executed.length, 0);
      const third = await t.client.call('permissions.answer', { requestId, decision: 'allow', always: true, rule: { effect: 'allow', capability: 'fs.write', pattern: `${t.root}/**` } });
      assert.equal(third.alreadyAnswered, true);
      assert.equal((await t.client.call('permissions.rules.list', {})).rules.length, 0, 'a late "allow always" saves no rule');
    } finally {
      await t.close();
      t.rootDir.cleanup();
    }
  });

  it('an unanswered request expires to deny after the configured time, and the run goes on', async () => {
    const t = await startGateCore();
    try {
      await t.client.call('permissions.config.update', { expiryMs: 60_000 });
      const { runId, decision, done } = t.gatedRun(write(join(t.root, 'late.txt')));
      await waitFor(async () => (await t.client.call('permissions.pending', {})).requests.length === 1, 'request');
      t.clock.advance(59_000);
      assert.equal((await t.client.call('permissions.pending', {})).requests.length, 1, 'still waiting before the expiry');
      t.clock.advance(1_000);
      const d = await decision;
      assert.equal(d.decision, 'deny');
      assert.equal(d.by, 'expiry');
      await done;
      assert.equal((await t.client.call('runs.get', { runId })).status, 'done');
      assert.equal(t.executed.length, 0);
      const [entry] = (await t.client.call('permissions.audit', { runId })).entries;
      assert.equal(entry.decidedBy, 'expiry');
    } finally {
      await t.close();
      t.rootDir.cleanup();
    }
  });

  it('a run with nobody watching waits for the longer unattended expiry and notifies', async () => {
    const t = await startGateCore();
    try {
      await t.client.call('permissions.config.update', { expiryMs: 60_000, unattendedExpiryMs: 3_600_000 });
      // The run's kind alone marks it unattended, even when the caller passes no scope.
      const { decision } = t.gatedRun(write(join(t.root, 'nightly.txt')), { kind: 'schedule' });
      await waitFor(async () => (await t.client.call('permissions.pending', {})).requests.length === 1, 'request');
      assert.match(t.notices[0].title, /background/);
      t.clock.advance(120_000);
      assert.equal((await t.client.call('permissions.pending', {})).requests.length, 1, 'an unattended request outlives the attended expiry');
      const requestId = (await t.client.call('permissions.pending', {})).requests[0].requestId;
      await t.client.call('permissions.answer', { requestId, decision: 'allow' });
      assert.equal((await decision).decision, 'allow');
      await t.core.idle();
      assert.equal(t.executed.length, 1);
    } finally {
      await t.close();
      t.rootDir.cleanup();
    }
  });

  it('cancelling a waiting run closes its request before the run ends, and nothing of the run follows', async () => {
    const t = await startGateCore();
    try {
      const { runId, decision, done } = t.gatedRun(write(join(t.root, 'c.txt')));
      const requestId = await waitFor(async () => (await t.client.call('permissions.pending', {})).requests[0]?.requestId, 'request');
      await t.client.call('runs.cancel', { runId });
      assert.equal((await decision).decision, 'deny');
      await done;
      const ofRun = t.core.log.since(0, 10_000).filter((e) => e.runId === runId);
      const closed = ofRun.findIndex((e) => e.type === 'permission.decided' && e.data.requestId === requestId);
      const cancelled = ofRun.findIndex((e) => e.type === 'run.status' && e.data.to === 'cancelled');
      assert.ok(closed >= 0 && closed < cancelled, 'the request is closed before the run is cancelled');
      assert.equal(cancelled, ofRun.length - 1, 'nothing of the run after cancelled');
      assert.equal(t.executed.length, 0);
      const answer = await t.client.call('permissions.answer', { requestId, decision: 'allow' });
      assert.equal(answer.alreadyAnswered, true);
      assert.equal(answer.entry.decidedBy, 'cancelled');
    } finally {
      await t.close();
      t.rootDir.cleanup();
    }
  });

  it('a cancel whose end rolls back once still closes the waiting request: denied, by cancelled, not left pending', async () => {
    const t = await startGateCore();
    try {
      const runId = t.core.log.transaction(() => t.core.runs.create({ kind: 'chat', title: 'gated write_text' }));
      const held: { ctx?: Parameters<Parameters<typeof t.core.runs.start>[1]>[0] } = {};
      const done = t.core.runs.start(runId, async (ctx) => {
        held.ctx = ctx;
        await t.core.permissions.gate.check({ ...write(join(t.root, 'd.txt')), runId }, ctx);
        return { status: 'done' };
      });
      const requestId = await waitFor(async () => (await t.client.call('permissions.pending', {})).requests[0]?.requestId, 'request');
      // An end step after the gate's that throws: the run's first end rolls back, the gate's close with it.
      held.ctx!.onEnd((status) => {
        if (status === 'cancelled') throw new Error('closing the stream failed');
      });
      await t.client.call('runs.cancel', { runId });
      await done;
      assert.equal((await t.client.call('runs.get', { runId })).status, 'failed');
      assert.deepEqual((await t.client.call('permissions.pending', {})).requests, [], 'nothing left waiting for an answer');
      const answer = await t.client.call('permissions.answer', { requestId, decision: 'allow' });
      assert.equal(answer.alreadyAnswered, true);
      assert.equal(answer.entry.decidedBy, 'cancelled');
      assert.equal(t.executed.length, 0);
    } finally {
      await t.close();
      t.rootDir.cleanup();
    }
  });

  it('"allow always" saves the edited rule; the same call then runs without asking and a call outside it still asks', async () => {
    const t = await startGateCore();
    try {
      const file = join(t.root, 'notes', 'today.md');
      const first = t.gatedRun(write(file));
      const requestId = await waitFor(async () => (await t.client.call('permissions.pending', {})).requests[0]?.requestId, 'request');
      const suggestion = await t.client.call('permissions.suggest', { requestId });
      assert.equal(suggestion.rule.pattern, file, 'the narrowest pattern is the file itself');
      assert.ok(suggestion.alternatives.some((a) => a.pattern === `${join(t.root, 'notes')}/*.md`));
      const edited = { ...suggestion.rule, pattern: `${join(t.root, 'notes')}/*.md` };
      const preview = await t.client.call('permissions.preview', { rule: edited });
      assert.equal(preview.total, 1, 'the preview lists the waiting call');
      const answer = await t.client.call('permissions.answer', { requestId, decision: 'allow', always: true, rule: edited });
      assert.ok(answer.ruleId);
      assert.equal((await first.decision).decision, 'allow');

      const again = t.gatedRun(write(join(t.root, 'notes', 'tomorrow.md')));
      const d = await again.decision;
      assert.equal(d.decision, 'allow');
      assert.equal(d.by, `rule:${answer.ruleId}`);

      const outside = t.gatedRun(write(join(t.root, 'notes', 'data.json')));
      await waitFor(async () => (await t.client.call('permissions.pending', {})).requests.length === 1, 'the other call asks');
      const pendingId = (await t.client.call('permissions.pending', {})).requests[0].requestId;
      await t.client.call('permissions.answer', { requestId: pendingId, decision: 'deny' });
      assert.equal((await outside.decision).decision, 'deny');
      const { rules } = await t.client.call('permissions.rules.list', { recent: 5 });
      assert.equal(rules.length, 1);
      assert.equal(rules[0].matchCount, 2, 'the rule shows what it matched: the answer that made it and the call after');
    } finally {
      await t.close();
      t.rootDir.cleanup();
    }
  });

  it('"allow always" without an edited rule saves the suggested narrowest one', async () => {
    const t = await startGateCore();
    try {
      const file = join(t.root, 'notes', 'only.md');
      const { decision } = t.gatedRun(write(file));
      const requestId = await waitFor(async () => (await t.client.call('permissions.pending', {})).requests[0]?.requestId, 'request');
      const answer = await t.client.call('permissions.answer', { requestId, decision: 'allow', always: true });
      assert.equal((await decision).decision, 'allow');
      const { rules } = await t.client.call('permissions.rules.list', {});
      assert.deepEqual(rules.map((r) => [r.id, r.pattern]), [[answer.ruleId, file]]);
    } finally {
      await t.close();
      t.rootDir.cleanup();
    }
  });

  it('"allow always" with a rule that is not an allow of this call\'s capability is refused and leaves the request waiting', async () => {
    const t = await startGateCore();
    try {
      const file = join(t.root, 'notes', 'x.md');
      const { decision } = t.gatedRun(write(file));
      const requestId = await waitFor(async () => (await t.client.call('permissions.pending', {})).requests[0]?.requestId, 'request');
      await assert.rejects(
        t.client.call('permissions.answer', { requestId, decision: 'allow', always: true, rule: { effect: 'allow', capability: 'shell.exec', pattern: '*' } }),
        (err: { code: string; message: string }) => err.code === 'invalid_input' && /fs\.write rule, not shell\.exec/.test(err.message),
      );
      await assert.rejects(
        t.client.call('permissions.answer', { requestId, decision: 'allow', always: true, rule: { effect: 'deny', capability: 'fs.write', pattern: file } }),
        (err: { code: string; message: string }) => err.code === 'invalid_input' && /an allow rule, not deny/.test(err.message),
      );
      assert.deepEqual((await t.client.call('permissions.rules.list', {})).rules, [], 'no rule was saved');
      assert.equal((await t.client.call('permissions.pending', {})).requests.length, 1, 'the request still waits for a real answer');
      await t.client.call('permissions.answer', { requestId, decision: 'allow', always: true, rule: { effect: 'allow', capability: 'fs.write', pattern: `${t.root}/notes/*.md` } });
      assert.equal((await decision).decision, 'allow');
      assert.equal(t.executed.length, 1);
    } finally {
      await t.close();
      t.rootDir.cleanup();
    }
  });

  it('a call outside the allowed folders is denied at once, with the reason, and never asks', async () => {
    const t = await startGateCore();
    try {
      const { decision } = t.gatedRun(write('/etc/passwd'));
      const d = await decision;
      assert.equal(d.decision, 'deny');
      assert.equal(d.by, 'safety');
      assert.match(d.decision === 'deny' ? d.reason : '', /outside the allowed folders/);
      assert.equal(t.notices.length, 0);
    } finally {
      await t.close();
      t.rootDir.cleanup();
    }
  });

  it('a name that resolves to a private address is denied unless a rule names that host', async () => {
    const t = await startGateCore();
    try {
      const get = (url: string) => ({ capability: 'net.http' as const, resource: url, tool: 'http_get', argsSummary: url });
      const d1 = await t.gatedRun(get('http://wiki.internal-test/page')).decision;
      assert.equal(d1.decision, 'deny');
      assert.match(d1.decision === 'deny' ? d1.reason : '', /10\.0\.0\.5/);
      await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'net.http', pattern: '*.internal-test' });
      assert.equal((await t.gatedRun(get('http://wiki.internal-test/page')).decision).decision, 'deny', 'a wildcard does not open a private host');
      await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'net.http', pattern: 'wiki.internal-test' });
      assert.equal((await t.gatedRun(get('http://wiki.internal-test/page')).decision).decision, 'allow');
    } finally {
      await t.close();
      t.rootDir.cleanup();
    }
  });
});

describe('several requests of one run at once', () => {
  it('the run waits until the last is decided, and each is decided on its own', async () => {
    const t = await startGateCore();
    try {
      const runId = t.core.log.transaction(() => t.core.runs.create({ kind: 'chat', title: 'parallel' }));
      let decisions: string[] = [];
      const done = t.core.runs.start(runId, async (ctx) => {
        const ds = await Promise.all([join(t.root, 'a.txt'), join(t.root, 'b.txt')].map((p) => t.core.permissions.gate.check({ ...write(p), runId }, ctx)));
        decisions = ds.map((d) => d.decision);
        return { status: 'done' };
      });
      const pending = await waitFor(async () => {
        const { requests } = await t.client.call('permissions.pending', {});
        return requests.length === 2 ? requests : null;
      }, 'two requests');
      await t.client.call('permissions.answer', { requestId: pending[0].requestId, decision: 'allow' });
      assert.equal((await t.client.call('runs.get', { runId })).status, 'waiting_permission', 'still waiting for the second');
      await t.client.call('permissions.answer', { requestId: pending[1].requestId, decision: 'deny' });
      await done;
      assert.deepEqual(decisions, ['allow', 'deny']);
      const statuses = t.events.filter((e) => e.type === 'run.status' && e.runId === runId).map((e) => (e.type === 'run.status' ? e.data.to : ''));
      assert.deepEqual(statuses, ['running', 'waiting_permission', 'running', 'done']);
    } finally {
      await t.close();
      t.rootDir.cleanup();
    }
  });
});

describe('the audit and secrets', () => {
  it('a key in a call is masked in the audit and the run status; a command that carries one is denied by workspace safety, never asked', async () => {
    const t = await startGateCore({ redactKey: 'sk-live-0123456789abcdef' });
    try {
      await t.client.call('permissions.rules.add', { effect: 'deny', capability: 'shell.exec', pattern: 'curl *' });
      const { decision } = t.gatedRun({ capability: 'shell.exec', resource: 'curl -H "x-key: sk-live-0123456789abcdef" https://api.example.com', tool: 'run_command', argsSummary: 'run curl with sk-live-0123456789abcdef' });
      assert.equal((await decision).decision, 'deny');
      const echoed = await t.gatedRun({ capability: 'shell.exec', resource: 'echo sk-live-0123456789abcdef', tool: 'run_command', argsSummary: 'echo' }).decision;
      assert.equal(echoed.decision, 'deny');
      assert.equal(echoed.by, 'safety');
      // A write asks; its path carries the key, masked in the request and the run's status.
      const { runId } = t.gatedRun({ capability: 'fs.write', resource: join(t.root, 'sk-live-0123456789abcdef.txt'), tool: 'write_text', argsSummary: 'write' });
      await waitFor(async () => (await t.client.call('runs.get', { runId })).status === 'waiting_permission', 'waiting');
      const logged = JSON.stringify(t.core.log.since(0, 10_000));
      assert.equal(logged.includes('sk-live-0123456789abcdef'), false);
      assert.ok(logged.includes('curl -H'), 'the rest of the call is kept');
      assert.ok(logged.includes('waiting_permission'), 'the run status was recorded');
      await t.client.call('runs.cancel', { runId });
    } finally {
      await t.close();
      t.rootDir.cleanup();
    }
  });
});
