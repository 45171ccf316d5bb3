import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { splitShellCommand } from '../../../core/permissions/index.js';
import { engineFor, makeSandbox, rule } from './fixtures.js';

describe('paths in the arguments of an allowed command', () => {
  const sb = makeSandbox();
  after(() => sb.cleanup());
  const engine = engineFor(sb, [rule('allow', 'shell.exec', 'ls *'), rule('allow', 'shell.exec', 'cat *')]);
  const workspace = join(sb.data, 'workspace');

  it("'ls -la ..' from the default workspace names the app's data folder and is denied, not run", () => {
    const r = engine.evaluate({ capability: 'shell.exec', resource: 'ls -la ..', cwd: workspace });
    assert.equal(r.decision, 'deny', r.reason);
    assert.equal(r.decidedBy, 'safety');
    assert.match(r.reason, /^\.\.: /);
    assert.ok(r.parts.some((p) => p.kind === 'argument' && p.text === '..' && p.decision === 'deny'));
    // The same command on a folder inside the workspace is what the rule allows.
    assert.equal(engine.evaluate({ capability: 'shell.exec', resource: 'ls -la .', cwd: workspace }).decision, 'allow');
  });

  it("'ls -la ~/.ssh' names a folder outside the allowed ones and is denied with the real path", () => {
    const r = engine.evaluate({ capability: 'shell.exec', resource: 'ls -la ~/.ssh', cwd: sb.root });
    assert.equal(r.decision, 'deny');
    assert.ok(r.reason.includes(join(sb.home, '.ssh')), r.reason);
  });

  it('a quoted ~ is a folder of that name, an unquoted one the home folder', () => {
    const quoted = splitShellCommand("cat '~/x'");
    assert.ok(quoted.ok);
    assert.equal(quoted.commands[0].parts[1].tilde, false);
    const split = splitShellCommand('cat ~/x');
    assert.ok(split.ok);
    assert.equal(split.commands[0].parts[1].tilde, true);
  });

  it('a glob is refused when a name it matches leads outside, and allowed when none does', () => {
    assert.equal(engine.evaluate({ capability: 'shell.exec', resource: 'cat secret-*', cwd: sb.root }).decision, 'deny');
    assert.equal(engine.evaluate({ capability: 'shell.exec', resource: 'cat s*/main.ts', cwd: sb.root }).decision, 'ask');
    assert.equal(engine.evaluate({ capability: 'shell.exec', resource: 'cat src/m*', cwd: sb.root }).decision, 'allow');
  });

  it('a command with a thousand arguments is bounded: it asks instead of checking each', () => {
    const r = engine.evaluate({ capability: 'shell.exec', resource: `ls ${Array.from({ length: 1000 }, (_, i) => `a${i}/b`).join(' ')}`, cwd: sb.root });
    assert.equal(r.decision, 'ask');
    assert.match(r.reason, /more than 200 arguments/);
  });
});
