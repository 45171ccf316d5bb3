import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppEvent, McpServerInfo } from '../../../core/contract/index.js';
import { waitFor, type TestCore } from '../../support/index.js';

/** The stdio MCP server fixture (plain JavaScript, run with this node). */
export const STDIO_FIXTURE = fileURLToPath(new URL('../../fixtures/mcp/stdio-server.mjs', import.meta.url));

/** Files the stdio fixture writes its calls to and reads its tool descriptions from. */
export function fixtureFiles(dir: string, name = 'fixture'): { log: string; state: string; setState(state: Record<string, unknown>): void; entries(): Record<string, unknown>[] } {
  const log = join(dir, `${name}.log`);
  const state = join(dir, `${name}.state.json`);
  return {
    log,
    state,
    setState: (s) => writeFileSync(state, JSON.stringify(s)),
    entries: () => (existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) : []),
  };
}

/** How `mcp.add` starts the stdio fixture. */
export function stdioServer(files: { log: string; state: string }, env: Record<string, string> = {}) {
  return { command: process.execPath, args: [STDIO_FIXTURE], env: { FIXTURE_LOG: files.log, FIXTURE_STATE: files.state, ...env } };
}

/** Waits until a server reaches a state (seen in the log after `afterSeq`), and returns its info. */
export async function waitForState(t: TestCore, name: string, state: McpServerInfo['state'], afterSeq = 0): Promise<McpServerInfo> {
  await waitFor(
    () => t.events.some((e) => e.seq > afterSeq && e.type === 'mcp.server.state' && e.data.name === name && e.data.state === state),
    `MCP server ${name} to be ${state}`,
  );
  const { servers } = await t.client.call('mcp.list', {});
  return servers.find((s) => s.name === name)!;
}

/** The data of every tool.completed event of a run. */
/** A run's tool results in the order the model called the tools (calls run side by side and may end in any order). */
export function completions(t: TestCore, runId: string) {
  const order = t.events.filter((e) => e.type === 'tool.started' && e.runId === runId).map((e) => (e.data as { callId: string }).callId);
  return t.events
    .filter((e): e is Extract<AppEvent, { type: 'tool.completed' }> => e.type === 'tool.completed' && e.runId === runId)
    .map((e) => e.data)
    .sort((a, b) => order.indexOf(a.callId) - order.indexOf(b.callId));
}

/** Lets every MCP tool run without asking. */
export async function allowMcp(t: TestCore): Promise<void> {
  await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'mcp.*', pattern: '*' });
}
