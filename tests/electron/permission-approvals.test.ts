import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { silentLogger } from '../../core/util/logger.js';
import { startDesktop, type Desktop } from '../../electron/main.js';
import { tempDir, waitFor } from '../support/index.js';
import { createFakeElectron } from './fake-electron.js';

let dir: { path: string; cleanup(): void };
let appRoot: string;
const started: Desktop[] = [];

beforeEach(() => {
  dir = tempDir('agent-blob-approvals-');
  appRoot = join(dir.path, 'app');
  mkdirSync(join(appRoot, 'dist', 'renderer'), { recursive: true });
  for (const page of ['index.html', 'desktop.html']) writeFileSync(join(appRoot, 'dist', 'renderer', page), '<!doctype html><title>Agent Blob</title>');
});

afterEach(async () => {
  for (const desktop of started.splice(0)) await desktop.quit();
  dir.cleanup();
});

describe('desktop approvals', () => {
  test('a scheduled run that asks while the window is hidden notifies natively and badges the tray; the answer clears both and the run goes on', async () => {
    const fake = createFakeElectron();
    const desktop = await startDesktop(fake.api, { appRoot, dataDir: join(dir.path, 'data'), env: {}, platform: 'linux', core: { logger: silentLogger, timeZone: 'UTC' }, traySupport: async () => 'yes' });
    assert.ok(desktop);
    started.push(desktop);
    const { core } = desktop;
    const [win] = fake.windows();
    win.userClose();
    assert.equal(win.isVisible(), false, 'the window is hidden in the tray');

    const target = join(core.paths.dir, 'workspace', 'nightly.md');
    const runId = core.log.transaction(() => core.runs.create({ kind: 'schedule', title: 'nightly notes' }));
    const decision = new Promise<string>((resolve) => {
      void core.runs.start(runId, async (ctx) => {
        const d = await core.permissions.gate.check({ capability: 'fs.write', resource: target, runId, tool: 'write_text', argsSummary: 'write nightly.md' }, ctx);
        resolve(d.decision);
        return { status: 'done' };
      });
    });
    await waitFor(() => fake.notifications.length === 1, 'a native notification');
    assert.equal(fake.notifications[0].title, 'A background task needs your permission');
    assert.match(fake.notifications[0].body, /write_text: write nightly\.md/);
    await waitFor(() => fake.trays[0].tooltip === 'Agent Blob: 1 approval waiting', 'the tray to count the request');
    assert.equal(fake.app.badge, 1);

    fake.notifications[0].click();
    assert.equal(win.isVisible(), true, 'the notification brings the window back to answer');
    const [request] = (await core.gateway.call('permissions.pending', {})).requests;
    await core.gateway.call('permissions.answer', { requestId: request.requestId, decision: 'allow' });
    assert.equal(await decision, 'allow');
    await waitFor(() => fake.trays[0].tooltip === 'Agent Blob', 'the tray to clear');
    assert.equal(fake.app.badge, 0);
  });
});
