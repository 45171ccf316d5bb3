import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { startTestCore } from '../../support/index.js';

/** The rows of the tool table in docs/agent.md: name and capability as the page writes them. */
function documentedTools(): Map<string, string> {
  const page = readFileSync(new URL('../../../docs/agent.md', import.meta.url), 'utf8');
  const section = page.slice(page.indexOf('## Tools'), page.indexOf('\n## ', page.indexOf('## Tools') + 1));
  const rows = new Map<string, string>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const name = /^`([^`]+)`$/.exec(cells[1] ?? '')?.[1];
    if (name) rows.set(name, cells.at(-2)!.replace(/`/g, ''));
  }
  return rows;
}

describe('the tool table of docs/agent.md', () => {
  it('lists every tool the app registers, with its capability, and no tool the app does not have', async () => {
    const t = await startTestCore();
    try {
      const registered = t.core.tools.list();
      assert.ok(registered.length >= 20, 'the tools of every module are registered');
      const documented = documentedTools();
      for (const tool of registered) {
        assert.ok(documented.has(tool.name), `docs/agent.md has no row for ${tool.name}`);
        assert.equal(documented.get(tool.name), tool.capability ?? '—', `the capability of ${tool.name}`);
      }
      const names = new Set(registered.map((tool) => tool.name));
      // MCP tools come and go with the servers a person adds: the page describes them as a pattern.
      const extra = [...documented.keys()].filter((name) => !names.has(name) && name !== 'mcp__<server>__<tool>');
      assert.deepEqual(extra, [], 'rows for tools the app does not have');
    } finally {
      await t.close();
    }
  });
});
