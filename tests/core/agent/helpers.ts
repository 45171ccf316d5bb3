import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppEvent, Run } from '../../../core/contract/index.js';
import type { TestCore } from '../../support/index.js';

/** Sends a chat message and waits until its run has ended. */
export async function chat(t: TestCore, text: string, model?: string): Promise<{ run: Run; events: AppEvent[] }> {
  const { runId } = await t.client.call('chat.send', model ? { text, model } : { text });
  await t.core.idle();
  const run = await t.client.call('runs.get', { runId });
  return { run, events: t.events.filter((e) => e.runId === runId) };
}

/** Writes files into the data folder's workspace (the default allowed root). */
export function workspace(t: TestCore, files: Record<string, string> = {}): string {
  const root = join(t.dataDir, 'workspace');
  mkdirSync(root, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(root, name), text);
  return root;
}

export function toolEvents(events: AppEvent[]) {
  return events.filter((e): e is Extract<AppEvent, { type: 'tool.completed' }> => e.type === 'tool.completed').map((e) => e.data);
}
