import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { chunk, waitFor } from '../support/index.js';
import { isWorkerRequest, taskOf } from '../core/workers/support.js';
import { assertAccessible, assertAccessibleInBothSchemes, browserForSuite, openSection, sendMessage, WIDTHS, withOpenApp } from './support/app.js';

describe('the worker panel in the browser against the headless host', () => {
  const browser = browserForSuite();

  for (const width of WIDTHS) {
    test(`at ${width} px: a chat that spawns two workers shows both live, one is cancelled from the panel, the other's transcript and result open`, async () => {
      await withOpenApp(browser(), { viewport: { width, height: 800 } }, async (app) => {
        const core = app.host.core;
        await core.gateway.call('permissions.rules.add', { effect: 'allow', capability: 'worker.spawn', pattern: '*' });
        const envelope = JSON.stringify({ summary: 'Three sources agree on the date.', artifacts: [{ name: 'sources.md', content: '# Sources\n- one\n- two\n- three' }] });
        app.anthropic.respond((body) => {
          if (!isWorkerRequest(body)) return null;
          // The researcher streams its answer slowly (seconds, so the panel sees it writing); the writer never answers until cancelled.
          if (taskOf(body).includes('sources')) return { kind: 'stream', chunks: chunk(envelope, 2), delayMs: 60, usage: { input: 120, output: 30 } };
          return { kind: 'hang' };
        });
        app.anthropic.script(
          { kind: 'stream', chunks: ['Starting two workers.'], toolCalls: [{ name: 'spawn_worker', arguments: { role: 'researcher', task: 'check the sources for the launch date' } }, { name: 'spawn_worker', arguments: { role: 'writer', task: 'draft the announcement' } }] },
          { kind: 'stream', chunks: chunk('The researcher confirmed the date; the writer was stopped.', 6) },
        );
        await sendMessage(app.page, 'check the date and draft the announcement');
        await openSection(app.page, 'workers', width);
        const rows = app.page.getByTestId('worker-row');
        await waitFor(async () => (await rows.count()) === 2, 'both workers listed');
        await app.page.getByTestId('workers-active').getByText('2 workers active').waitFor();
        const researcher = rows.filter({ hasText: 'check the sources' });
        const writer = rows.filter({ hasText: 'draft the announcement' });
        // Live progress: the researcher is seen writing while it streams.
        await researcher.getByTestId('worker-step').getByText('writing').waitFor();
        await assertAccessibleInBothSchemes(app.page, `the worker panel at ${width} px`);

        await writer.getByTestId('worker-cancel').click();
        await app.page.locator('[data-testid="worker-row"][data-status="cancelled"]').filter({ hasText: 'draft the announcement' }).waitFor();
        assert.match((await writer.getByTestId('worker-state').textContent()) ?? '', /cancelled \(cancelled by user\)/);

        await app.page.locator('[data-testid="worker-row"][data-status="done"]').filter({ hasText: 'check the sources' }).waitFor();
        assert.match((await researcher.getByTestId('worker-tokens').textContent()) ?? '', /^150 tokens$/);
        await app.page.getByTestId('workers-active').getByText('No workers active').waitFor();
        await researcher.getByTestId('worker-open').click();
        const detail = app.page.getByTestId('worker-detail');
        await detail.getByTestId('worker-summary').getByText('Three sources agree on the date.').waitFor();
        await detail.getByTestId('worker-artifact').getByText(/sources\.md/).waitFor();
        await detail.getByTestId('transcript-entry').filter({ hasText: 'check the sources for the launch date' }).waitFor();
        await assertAccessibleInBothSchemes(app.page, `a worker's transcript at ${width} px`);
        await app.screenshot(`workers-${width}`);

        // The researcher's file is an item of the chat: name, type, size, worker; Show file gives its path and text.
        await openSection(app.page, 'chat', width);
        const file = app.page.locator('[data-testid="timeline-row"][data-kind="artifact"]');
        await file.getByTestId('artifact-name').getByText('sources.md', { exact: true }).waitFor();
        assert.equal(await file.count(), 1);
        assert.equal(await file.getByTestId('artifact-meta').textContent(), 'text/markdown · 29 bytes');
        await file.getByText('File from the researcher worker').waitFor();
        await file.getByTestId('artifact-open').click();
        await file.getByTestId('artifact-text').getByText('- three').waitFor();
        const path = (await file.getByTestId('artifact-path').textContent()) ?? '';
        assert.match(path, /[\\/]artifacts[\\/]run_[^\\/]+[\\/]sources\.md$/);
        const researcherId = (await core.gateway.call('workers.list', { status: 'all' })).workers.find((w) => w.role === 'researcher')!.id;
        assert.ok(path.includes(researcherId), `${path} is under the researcher ${researcherId}`);
        await assertAccessible(app.page, `a worker's file in the chat at ${width} px`);

        const workers = (await core.gateway.call('workers.list', { status: 'all' })).workers;
        assert.deepEqual(workers.map((w) => [w.role, w.status]).sort(), [['researcher', 'done'], ['writer', 'cancelled']]);
        await waitFor(async () => (await core.gateway.call('runs.list', { limit: 10 })).runs.every((r) => r.status !== 'running' && r.status !== 'queued'), 'every run to end');
      });
    });
  }
});
