import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AppError } from '../../../core/contract/index.js';
import { startGateCore } from './support.js';

const call = (capability: string, resource: string) => ({ capability: capability as 'fs.read', resource, tool: 'probe', argsSummary: '' });

describe('permission commands', () => {
  it('config rejects relative folders, and read-only mode denies writes at once while reads go on', async () => {
    const t = await startGateCore();
    try {
      await assert.rejects(t.client.call('permissions.config.update', { roots: ['relative/dir'] }), (err: AppError) => err.code === 'invalid_input' && /absolute/.test(err.message));
      await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'fs.write', pattern: `${t.root}/**` });
      await t.client.call('permissions.config.update', { mode: 'read-only' });
      const write = await t.gatedRun(call('fs.write', join(t.root, 'a.txt'))).decision;
      assert.equal(write.decision, 'deny');
      assert.equal(write.by, 'mode');
      assert.equal((await t.gatedRun(call('fs.read', join(t.root, 'a.txt'))).decision).decision, 'allow');
      await t.client.call('permissions.config.update', { mode: 'normal' });
      assert.equal((await t.gatedRun(call('fs.write', join(t.root, 'a.txt'))).decision).decision, 'allow', 'back to the rule');
    } finally {
      await t.close();
      t.rootDir.cleanup();
    }
  });

  it('the audit filters by capability, decision and run, newest first', async () => {
    const t = await startGateCore();
    try {
      const a = t.gatedRun(call('fs.read', join(t.root, 'x.txt')));
      await a.decision;
      const b = t.gatedRun(call('fs.write', '/etc/passwd'));
      await b.decision;
      const c = t.gatedRun(call('mcp.github', 'github/list'));
      await t.client.call('permissions.answer', { requestId: (await t.client.call('permissions.pending', {})).requests[0].requestId, decision: 'deny' });
      await c.decision;
      const all = (await t.client.call('permissions.audit', {})).entries;
      assert.deepEqual(all.map((e) => e.capability), ['mcp.github', 'fs.write', 'fs.read']);
      assert.deepEqual((await t.client.call('permissions.audit', { decision: 'deny' })).entries.map((e) => [e.capability, e.decidedBy]), [['mcp.github', 'user'], ['fs.write', 'safety']]);
      assert.deepEqual((await t.client.call('permissions.audit', { capability: 'mcp.*' })).entries.map((e) => e.capability), ['mcp.github']);
      assert.deepEqual((await t.client.call('permissions.audit', { runId: a.runId })).entries.map((e) => e.decision), ['allow']);
      const older = (await t.client.call('permissions.audit', { beforeSeq: all[0].seq })).entries;
      assert.deepEqual(older.map((e) => e.capability), ['fs.write', 'fs.read']);
    } finally {
      await t.close();
      t.rootDir.cleanup();
    }
  });

  it('rules: unknown ids are not_found, a path pattern must be absolute, and update keeps what it does not name', async () => {
    const t = await startGateCore();
    try {
      await assert.rejects(t.client.call('permissions.rules.update', { id: 'rule_nope', effect: 'deny' }), (err: AppError) => err.code === 'not_found');
      await assert.rejects(t.client.call('permissions.rules.remove', { id: 'rule_nope' }), (err: AppError) => err.code === 'not_found');
      await assert.rejects(t.client.call('permissions.rules.add', { effect: 'allow', capability: 'fs.read', pattern: 'docs/**' }), (err: AppError) => err.code === 'invalid_input');
      await assert.rejects(t.client.call('permissions.rules.add', { effect: 'allow', capability: 'net.http', pattern: 'example.com/path' }), (err: AppError) => err.code === 'invalid_input');
      await assert.rejects(t.client.call('permissions.rules.add', { effect: 'allow', capability: 'disk.format', pattern: '*' }), (err: AppError) => err.code === 'invalid_input');
      const rule = await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'net.http', pattern: '*.example.com', scope: 'worker:researcher', note: 'docs' });
      const updated = await t.client.call('permissions.rules.update', { id: rule.id, effect: 'ask' });
      assert.deepEqual([updated.effect, updated.pattern, updated.scope, updated.note], ['ask', '*.example.com', 'worker:researcher', 'docs']);
      const test = await t.client.call('permissions.test', { capability: 'net.http', resource: 'https://a.example.com/', scope: { workerRole: 'researcher' } });
      assert.deepEqual([test.decision, test.ruleId], ['ask', rule.id]);
    } finally {
      await t.close();
      t.rootDir.cleanup();
    }
  });

  it('preview counts the recent calls a rule would match, and suggest offers wider patterns without choosing them', async () => {
    const t = await startGateCore();
    try {
      for (const name of ['a.md', 'b.md', 'c.txt']) await t.gatedRun(call('fs.read', join(t.root, 'notes', name))).decision;
      const md = await t.client.call('permissions.preview', { rule: { effect: 'deny', capability: 'fs.read', pattern: `${t.root}/notes/*.md` } });
      assert.equal(md.total, 2);
      assert.deepEqual(md.matches.map((m) => m.resource).sort(), [join(t.root, 'notes', 'a.md'), join(t.root, 'notes', 'b.md')]);
      const suggestion = await t.client.call('permissions.suggest', { call: { capability: 'shell.exec', resource: 'npm run test:unit -- --watch' } });
      assert.equal(suggestion.rule.pattern, 'npm run test:unit -- --watch');
      assert.ok(suggestion.alternatives.some((a) => a.pattern === 'npm run *'));
      const host = await t.client.call('permissions.suggest', { call: { capability: 'net.http', resource: 'https://api.github.com:8443/x' } });
      assert.equal(host.rule.pattern, 'api.github.com:8443');
      assert.deepEqual(host.alternatives.map((a) => a.pattern), ['*.github.com']);
    } finally {
      await t.close();
      t.rootDir.cleanup();
    }
  });
});
