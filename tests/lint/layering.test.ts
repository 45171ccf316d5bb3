import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { describe, it } from 'node:test';
import { ESLint } from 'eslint';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(import.meta.dirname, 'fixtures');
const RULE = 'layering/imports';

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return walk(path);
    return /\.tsx?$/.test(entry.name) ? [path] : [];
  });
}

/** Lines of a fixture marked `// ✗`: exactly those must be reported. */
function markedLines(source: string): number[] {
  return source.split('\n').flatMap((line, i) => (line.trimEnd().endsWith('// ✗') ? [i + 1] : []));
}

const eslint = new ESLint({ cwd: ROOT, errorOnUnmatchedPattern: false });

/** Lints a fixture as if it sat at the same place under the repository root. */
async function lintFixture(fixture: string): Promise<{ virtualPath: string; lines: number[]; messages: string[] }> {
  const virtualPath = join(ROOT, relative(FIXTURES, fixture));
  const [result] = await eslint.lintText(readFileSync(fixture, 'utf8'), { filePath: virtualPath });
  const fatal = result.messages.filter((m) => m.fatal);
  assert.deepEqual(fatal, [], `${fixture} does not parse`);
  const layering = result.messages.filter((m) => m.ruleId === RULE);
  return { virtualPath, lines: [...new Set(layering.map((m) => m.line))].sort((a, b) => a - b), messages: layering.map((m) => m.message) };
}

describe('the layering lint rule', () => {
  const fixtures = walk(FIXTURES).sort();

  it('has violating and compliant fixtures for core, the contract, the renderer and electron', () => {
    const names = fixtures.map((f) => relative(FIXTURES, f).split(sep).join('/'));
    for (const expected of ['core/imports-electron.ts', 'core/imports-react.ts', 'core/uses-dom-globals.ts', 'core/compliant.ts', 'core/agent/deep-imports.ts', 'core/deep-from-root.ts', 'core/contract/imports-node.ts', 'core/contract/imports-outside.ts', 'core/contract/compliant.ts', 'renderer/imports-core.ts', 'renderer/imports-node.ts', 'renderer/views/imports-electron.ts', 'renderer/compliant.tsx', 'electron/compliant.ts']) {
      assert.ok(names.includes(expected), `missing fixture ${expected}`);
    }
  });

  for (const fixture of fixtures) {
    const name = relative(FIXTURES, fixture).split(sep).join('/');
    const expected = markedLines(readFileSync(fixture, 'utf8'));
    const title = expected.length
      ? `reports each wrong import or DOM global in ${name} (lines ${expected.join(', ')}) and nothing else`
      : `reports nothing in the compliant ${name}`;
    it(title, async () => {
      const { lines, messages } = await lintFixture(fixture);
      assert.deepEqual(lines, expected, messages.join('\n'));
    });
  }

  it('names the layer and the offending import in its message', async () => {
    const { messages } = await lintFixture(join(FIXTURES, 'renderer', 'imports-core.ts'));
    assert.match(messages[0], /the renderer may import only core\/contract from core, not core\/app\.js/);
    const deep = await lintFixture(join(FIXTURES, 'core', 'agent', 'deep-imports.ts'));
    assert.match(deep.messages[0], /core\/runs is reached only through its index\.ts \(\.\.\/runs\/index\.js\), not core\/runs\/manager\.js/);
    const dom = await lintFixture(join(FIXTURES, 'core', 'uses-dom-globals.ts'));
    assert.ok(dom.messages.some((m) => /may not use the DOM global "document"/.test(m)), dom.messages.join('\n'));
  });

  it('every core folder has the index.ts other folders import it through', () => {
    const folders = readdirSync(join(ROOT, 'core'), { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    assert.ok(folders.length >= 15, `expected the core folders, found ${folders.join(', ')}`);
    const without = folders.filter((name) => !readdirSync(join(ROOT, 'core', name)).includes('index.ts'));
    assert.deepEqual(without, []);
  });

  it('finds no layering violation in the real core, renderer and electron folders', async () => {
    const config = await eslint.calculateConfigForFile(join(ROOT, 'core', 'app.ts'));
    assert.equal(config.rules?.[RULE]?.[0], 2, 'the rule must be switched on for core/');
    const results = await eslint.lintFiles(['core', 'renderer', 'electron']);
    const linted = results.filter((r) => r.filePath.startsWith(join(ROOT, 'core') + sep));
    assert.ok(linted.length >= 20, `expected to lint the core tree, linted ${linted.length} core files`);
    const violations = results.flatMap((r) => r.messages.filter((m) => m.ruleId === RULE || m.fatal).map((m) => `${relative(ROOT, r.filePath)}:${m.line} ${m.message}`));
    assert.deepEqual(violations, []);
  });
});
