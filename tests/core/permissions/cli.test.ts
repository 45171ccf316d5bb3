import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AuditEntry, PermissionRule } from '../../../core/contract/index.js';
import { startHost, type Host } from '../../../core/host/index.js';
import { createMemorySecretStore } from '../../../core/secrets/index.js';
import { silentLogger } from '../../../core/util/logger.js';
import { tempDir, waitFor } from '../../support/index.js';
import { runCli } from '../host/cli-support.js';

describe('agent-blob permissions', () => {
  const dir = tempDir();
  const root = join(dir.path, 'work');
  mkdirSync(root);
  after(() => dir.cleanup());
  const cli = (args: string[]) => runCli([...args, '--data-dir', join(dir.path, 'data')], {});

  it('rules add, list, edit and remove round-trip, and config sets the allowed folders', async () => {
    const config = await cli(['permissions', 'config', '--root', root, '--json']);
    assert.equal(config.code, 0, config.stderr);
    assert.deepEqual(JSON.parse(config.stdout).roots, [root]);
    const added = await cli(['permissions', 'rules', 'add', '--effect', 'allow', '--capability', 'shell.exec', '--pattern', 'npm run test:*', '--json']);
    assert.equal(added.code, 0, added.stderr);
    const rule = JSON.parse(added.stdout) as PermissionRule;
    const listed = await cli(['permissions', 'rules', 'list']);
    assert.match(listed.stdout, /npm run test:\*/);
    const edited = await cli(['permissions', 'rules', 'edit', rule.id, '--effect', 'deny', '--json']);
    assert.equal(JSON.parse(edited.stdout).effect, 'deny');
    assert.equal(JSON.parse(edited.stdout).pattern, 'npm run test:*');
    const tested = await cli(['permissions', 'test', 'shell.exec', 'npm run test:unit', '--json']);
    assert.equal(JSON.parse(tested.stdout).decision, 'deny');
    assert.equal(JSON.parse(tested.stdout).ruleId, rule.id);
    const removed = await cli(['permissions', 'rules', 'remove', rule.id]);
    assert.equal(removed.code, 0);
    const empty = await cli(['permissions', 'rules', 'list', '--json']);
    assert.deepEqual(JSON.parse(empty.stdout).rules, []);
  });

  it('config sets both expiry times, and a bad mode is a usage error that changes nothing', async () => {
    const set = await cli(['permissions', 'config', '--expiry-seconds', '90', '--unattended-expiry-seconds', '7200', '--json']);
    assert.equal(set.code, 0, set.stderr);
    assert.deepEqual([JSON.parse(set.stdout).expiryMs, JSON.parse(set.stdout).unattendedExpiryMs], [90_000, 7_200_000]);
    const bad = await cli(['permissions', 'config', '--mode', 'yolo', '--expiry-seconds', '5']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--mode must be normal, read-only or ask-everything/);
    const shown = await cli(['permissions', 'config']);
    assert.match(shown.stdout, /requests expire after: 90 s \(unattended: 7200 s\)/);
  });

  it('a bad rule is a usage error with a readable reason', async () => {
    const r = await cli(['permissions', 'rules', 'add', '--effect', 'allow', '--capability', 'fs.write', '--pattern', 'relative/**']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /absolute or starts with ~\//);
  });

  it('audit --json lists decisions with filters, and answer on an unknown request says so', async () => {
    const tested = await cli(['permissions', 'test', 'fs.read', join(root, 'x.txt')]);
    assert.match(tested.stdout, /^allow \(default\)/);
    const audit = await cli(['permissions', 'audit', '--json', '--decision', 'deny']);
    assert.equal(audit.code, 0, audit.stderr);
    assert.deepEqual((JSON.parse(audit.stdout) as { entries: AuditEntry[] }).entries, [], 'test does not write to the audit');
    const answer = await cli(['permissions', 'answer', 'perm_nope', 'allow']);
    assert.notEqual(answer.code, 0);
    assert.match(answer.stderr, /no permission request perm_nope/);
  });
});

describe('agent-blob permissions against a running app', () => {
  const dir = tempDir();
  const root = join(dir.path, 'work');
  mkdirSync(root);
  let host: Host;
  before(async () => {
    host = await startHost({ dataDir: join(dir.path, 'data'), rendererDir: null, env: {}, secrets: createMemorySecretStore(), logger: silentLogger, allowedRoots: [root], resolveHost: null });
  });
  after(async () => {
    await host.close();
    dir.cleanup();
  });
  const cli = (args: string[]) => runCli([...args, '--data-dir', join(dir.path, 'data')], {});

  it('pending lists the waiting call, answer allow --always lets it run and saves the narrow rule, a second answer reports the first', async () => {
    const core = host.core;
    const runId = core.log.transaction(() => core.runs.create({ kind: 'chat', title: 'cli answer' }));
    const target = join(root, 'report.md');
    const decision = new Promise<string>((resolve) => {
      void core.runs.start(runId, async (ctx) => {
        const d = await core.permissions.gate.check({ capability: 'fs.write', resource: target, runId, tool: 'write_text', argsSummary: 'write report' }, ctx);
        resolve(d.decision);
        return { status: 'done' };
      });
    });
    await waitFor(() => core.permissions.pending().length === 1, 'request');
    const pending = await cli(['permissions', 'pending', '--json']);
    assert.equal(pending.code, 0, pending.stderr);
    const [request] = (JSON.parse(pending.stdout) as { requests: AuditEntry[] }).requests;
    assert.equal(request.resource, target);
    const answered = await cli(['permissions', 'answer', request.requestId, 'allow', '--always']);
    assert.equal(answered.code, 0, answered.stderr);
    assert.match(answered.stdout, /allow, rule rule_\w+ saved/);
    assert.equal(await decision, 'allow');
    const { rules } = await core.gateway.call('permissions.rules.list', {});
    assert.deepEqual(rules.map((r) => [r.effect, r.capability, r.pattern]), [['allow', 'fs.write', target]]);
    const again = await cli(['permissions', 'answer', request.requestId, 'deny']);
    assert.equal(again.code, 1, 'a different late answer is reported as not taken');
    assert.match(again.stdout, /already answered: allow by user/);
    const audit = await cli(['permissions', 'audit', '--json', '--run', runId]);
    const entries = (JSON.parse(audit.stdout) as { entries: AuditEntry[] }).entries;
    assert.deepEqual(entries.map((e) => [e.decision, e.decidedBy, e.answer]), [['allow', 'user', 'always']]);
  });

  it('rules add, edit and remove through the running app change its decisions at once', async () => {
    const core = host.core;
    const target = join(root, 'build.log');
    const decide = () => core.gateway.call('permissions.test', { capability: 'fs.write', resource: target });
    assert.equal((await decide()).decision, 'ask');
    const added = await cli(['permissions', 'rules', 'add', '--effect', 'allow', '--capability', 'fs.write', '--pattern', `${root}/*.log`, '--json']);
    assert.equal(added.code, 0, added.stderr);
    const rule = JSON.parse(added.stdout) as PermissionRule;
    assert.deepEqual(await decide().then((r) => [r.decision, r.ruleId]), ['allow', rule.id], 'the app decides with the rule the CLI added');
    const edited = await cli(['permissions', 'rules', 'edit', rule.id, '--effect', 'deny']);
    assert.equal(edited.code, 0, edited.stderr);
    assert.equal((await decide()).decision, 'deny');
    const listed = await cli(['permissions', 'rules', 'list', '--json']);
    assert.deepEqual((JSON.parse(listed.stdout) as { rules: PermissionRule[] }).rules.filter((r) => r.id === rule.id).map((r) => [r.effect, r.pattern]), [['deny', `${root}/*.log`]]);
    const removed = await cli(['permissions', 'rules', 'remove', rule.id]);
    assert.equal(removed.code, 0, removed.stderr);
    assert.equal((await decide()).decision, 'ask');
    const missing = await cli(['permissions', 'rules', 'remove', rule.id]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, new RegExp(`no rule ${rule.id}`));
  });
});
