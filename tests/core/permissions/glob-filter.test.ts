import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import picomatch from 'picomatch';
import { engineFor, makeSandbox, rule } from './fixtures.js';

/**
 * The policy skips a path rule when the path does not start with the rule's literal base or end with
 * its literal tail, before testing the glob. Over random globs and paths inside the root, that
 * shortcut must never change the answer picomatch itself gives.
 */
describe('path rules: the prefix and suffix shortcuts agree with the glob', () => {
  const sb = makeSandbox();
  after(() => sb.cleanup());

  const segment = fc.constantFrom('src', 'notes', 'a', 'todo.md', 'main.ts', 'x.md.bak', 'README.MD', '(1).txt', '.hidden', 'b.txt');
  const globPart = fc.constantFrom('*', '**', '*.md', '*.{md,txt}', '[ab].txt', 'todo.md', '*.ts', '?.txt', '!(x).md', '*(1).txt', 'src', 'notes', '.*');

  it('a rule allows exactly the paths its glob matches', () => {
    fc.assert(
      fc.property(fc.array(globPart, { minLength: 1, maxLength: 3 }), fc.array(segment, { minLength: 1, maxLength: 3 }), (globParts, pathParts) => {
        const glob = `${sb.root}/${globParts.join('/')}`;
        const path = `${sb.root}/${pathParts.join('/')}`;
        const engine = engineFor(sb, [rule('allow', 'fs.write', glob)]);
        const result = engine.evaluate({ capability: 'fs.write', resource: path });
        // picomatch is the oracle, with the one documented difference: a trailing /** also matches the folder before it.
        const pm = (g: string) => picomatch.isMatch(path, g, { dot: true });
        const expected = pm(glob) || (glob.endsWith('/**') && pm(glob.slice(0, -3))) ? 'allow' : 'ask';
        assert.equal(result.decision, expected, `${glob} vs ${path}: ${result.reason}`);
      }),
      { numRuns: 400, seed: 5 },
    );
  });
});
