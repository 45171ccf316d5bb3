import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { waitFor } from '../support/index.js';
import { launchBrowser, sendMessage, startApp, type E2EApp } from './support/app.js';

/** Waits until `count` runs exist and all of them have ended. */
async function runsEnded(app: E2EApp, count: number): Promise<void> {
  await waitFor(() => {
    const runs = app.host.core.runs.list(50);
    return runs.length === count && runs.every((r) => ['done', 'failed', 'cancelled'].includes(r.status));
  }, `${count} runs to end`);
}

describe('approvals in the browser', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('requests from runs nobody watches queue up: the dialog shows the oldest with how many more wait, and each answer lets its own run go on', async () => {
    const app = await startApp(browser);
    try {
      const core = app.host.core;
      const workspace = join(core.paths.dir, 'workspace');
      const decisions: Promise<string>[] = [];
      for (const [kind, name] of [['schedule', 'nightly.md'], ['worker', 'research.md']] as const) {
        const runId = core.log.transaction(() => core.runs.create({ kind, title: `${kind} run` }));
        decisions.push(
          new Promise<string>((resolve) => {
            void core.runs.start(runId, async (ctx) => {
              const d = await core.permissions.gate.check({ capability: 'fs.write', resource: join(workspace, name), runId, tool: 'write_text', argsSummary: `write ${name}` }, ctx);
              resolve(d.decision);
              return { status: 'done' };
            });
          }),
        );
        await waitFor(() => core.permissions.pending().some((r) => r.resource.endsWith(name)), `${kind} request`);
      }
      await app.open();
      const dialog = app.page.getByTestId('approval-dialog');
      await dialog.waitFor();
      assert.equal(await dialog.getByTestId('approval-resource').textContent(), join(workspace, 'nightly.md'), 'the oldest first');
      assert.match((await dialog.textContent()) ?? '', /1 more waiting/);
      await dialog.getByTestId('approval-deny').click();
      await waitFor(async () => (await dialog.getByTestId('approval-resource').textContent().catch(() => '')) === join(workspace, 'research.md'), 'the next request');
      await dialog.getByTestId('approval-once').click();
      await dialog.waitFor({ state: 'detached' });
      assert.deepEqual(await Promise.all(decisions), ['deny', 'allow']);
      await runsEnded(app, 2);
      assert.equal(core.permissions.pending().length, 0);
    } finally {
      await app.close();
    }
  });

  test('a write asks in a dialog; "allow always" shows the narrow rule and its preview; then the same kind of call runs without asking and another still asks', async () => {
    const app = await startApp(browser);
    try {
      const workspace = join(app.host.core.paths.dir, 'workspace');
      const notes = join(workspace, 'notes');
      app.anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'write_text', arguments: { path: 'notes/monday.md', text: 'plan' } }] },
        { kind: 'stream', chunks: ['Saved your plan.'] },
      );
      await app.open();
      await sendMessage(app.page, 'save my plan');

      const dialog = app.page.getByTestId('approval-dialog');
      await dialog.waitFor();
      assert.equal(await dialog.getByTestId('approval-resource').textContent(), join(notes, 'monday.md'));
      assert.equal(existsSync(join(notes, 'monday.md')), false, 'nothing is written before the answer');
      await app.page.keyboard.press('Enter');
      await app.page.waitForTimeout(100);
      assert.equal(app.host.core.permissions.pending().length, 1, 'a stray Enter does not answer');
      // The request is kept by the app, not the page: a reload shows the same question again.
      await app.page.reload();
      await dialog.waitFor();
      assert.equal(await dialog.getAttribute('data-request-id'), app.host.core.permissions.pending()[0].requestId);
      await app.screenshot('permission-dialog');

      await dialog.getByTestId('approval-always').click();
      const pattern = dialog.getByTestId('approval-rule-pattern');
      await pattern.waitFor();
      assert.equal(await pattern.inputValue(), join(notes, 'monday.md'), 'prefilled with the narrowest pattern: this file');
      const count = dialog.getByTestId('approval-preview-count');
      await waitFor(async () => /^Matches 1 of/.test((await count.textContent().catch(() => '')) ?? ''), 'the preview');
      await dialog.getByRole('button', { name: 'every .md file in this folder' }).click();
      assert.equal(await pattern.inputValue(), `${notes}/*.md`);
      await waitFor(async () => (await dialog.getByTestId('approval-preview').textContent())?.includes('monday.md'), 'the preview of the edited rule');
      await app.screenshot('permission-allow-always');
      await dialog.getByTestId('approval-save-rule').click();
      await dialog.waitFor({ state: 'detached' });
      await runsEnded(app, 1);
      assert.equal(existsSync(join(notes, 'monday.md')), true);

      // The same kind of call now runs without a dialog.
      app.anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'write_text', arguments: { path: 'notes/tuesday.md', text: 'more' } }] },
        { kind: 'stream', chunks: ['Saved again.'] },
      );
      await sendMessage(app.page, 'and tuesday');
      await runsEnded(app, 2);
      assert.equal(existsSync(join(notes, 'tuesday.md')), true);
      assert.equal(app.host.core.log.since(0, 100_000).filter((e) => e.type === 'permission.requested').length, 1, 'no second dialog');

      // A call outside the pattern still asks.
      app.anthropic.script(
        { kind: 'stream', toolCalls: [{ name: 'write_text', arguments: { path: 'notes/data.json', text: '{}' } }] },
        { kind: 'stream', chunks: ['Could not save it.'] },
      );
      await sendMessage(app.page, 'save data');
      await dialog.waitFor();
      assert.equal(await dialog.getByTestId('approval-resource').textContent(), join(notes, 'data.json'));
      await dialog.getByTestId('approval-deny').click();
      await dialog.waitFor({ state: 'detached' });
      await runsEnded(app, 3);
      assert.equal(existsSync(join(notes, 'data.json')), false);

      // The rules page shows the rule with what it matched, and the test box names it.
      await app.page.getByTestId('nav-permissions').click();
      const rule = app.page.getByTestId('perm-rule');
      await rule.waitFor();
      assert.equal(await rule.getByTestId('perm-rule-pattern').textContent(), `${notes}/*.md`);
      await waitFor(async () => /^2 matches/.test((await rule.getByTestId('perm-rule-matches').textContent()) ?? ''), 'match count');
      await app.page.getByTestId('perm-test-resource').fill(join(notes, 'friday.md'));
      await app.page.getByRole('button', { name: 'Test', exact: true }).click();
      const result = app.page.getByTestId('perm-test-result');
      await result.waitFor();
      assert.equal(await result.getAttribute('data-decision'), 'allow');
      const ruleId = await rule.getAttribute('data-rule-id');
      assert.match((await result.textContent()) ?? '', new RegExp(`rule ${ruleId}`), 'the test box names the rule that decides');
      await app.page.getByLabel('Filter by decision').selectOption('deny');
      await waitFor(async () => (await app.page.getByTestId('perm-audit-row').count()) === 1, 'the audit filtered to the denial');
      assert.match((await app.page.getByTestId('perm-audit-row').textContent()) ?? '', /data\.json/);
      // The run link narrows the audit to that run; a capability with no calls shows none.
      const deniedRun = app.host.core.permissions.audit({ decision: 'deny', limit: 1 })[0].runId!;
      await app.page.getByLabel('Filter by decision').selectOption('');
      await app.page.getByTestId('perm-audit-row').getByRole('button', { name: deniedRun }).click();
      assert.equal(await app.page.getByLabel('Filter by run').inputValue(), deniedRun);
      await waitFor(async () => (await app.page.getByTestId('perm-audit-row').count()) === 1, 'the audit filtered to one run');
      await app.page.getByLabel('Filter by run').fill('');
      await waitFor(async () => (await app.page.getByTestId('perm-audit-row').count()) === 3, 'the whole audit: three writes');
      await app.page.getByLabel('Filter by capability').selectOption('net.http');
      await waitFor(async () => (await app.page.getByTestId('perm-audit-row').count()) === 0, 'no net.http calls');
      await app.page.getByLabel('Filter by capability').selectOption('');
      await app.screenshot('permissions-pane');

      // Editing the rule on the page narrows it at once; deleting it brings the question back.
      await rule.getByRole('button', { name: 'Edit' }).click();
      await rule.getByLabel('Pattern').fill(`${notes}/mon*.md`);
      await rule.getByRole('button', { name: 'Save' }).click();
      await waitFor(async () => (await rule.getByTestId('perm-rule-pattern').textContent().catch(() => null)) === `${notes}/mon*.md`, 'the edited pattern');
      assert.deepEqual(app.host.core.permissions.queries.rules().map((r) => r.pattern), [`${notes}/mon*.md`]);
      await app.page.getByRole('button', { name: 'Test', exact: true }).click();
      await waitFor(async () => (await result.getAttribute('data-decision')) === 'ask', 'friday.md asks after the edit');
      await rule.getByRole('button', { name: 'Delete' }).click();
      await app.page.getByTestId('perm-rules-empty').waitFor();
      assert.deepEqual(app.host.core.permissions.queries.rules(), []);
    } finally {
      await app.close();
    }
  });
});
