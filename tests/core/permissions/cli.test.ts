import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { AuditEntry, PermissionRule } from '../../../core/contract/index.js';
import { tempDir } from '../../support/index.js';
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
