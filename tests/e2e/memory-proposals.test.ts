import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { waitFor } from '../support/index.js';
import { launchBrowser, startApp } from './support/app.js';

describe('memory proposals in the chat timeline, in the browser against the headless host', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('proposals appear in the conversation with their source; Accept stores a searchable memory, Edit saves the edited text, Reject stores nothing', async () => {
    const app = await startApp(browser);
    try {
      const core = app.host.core;
      core.log.transaction(() => core.log.append('message.created', { messageId: 'msg_source', role: 'user', text: 'My dentist is Dr. Okafor, and I take my tea black.', status: 'done' }));
      await app.open();
      const source = { kind: 'run' as const, runId: null, messageId: 'msg_source' };
      const dentist = (await core.memoryProposals.propose({ text: 'My dentist is Dr. Okafor', area: 'main', source }))!;
      const tea = (await core.memoryProposals.propose({ text: 'I take tea black', area: 'main', source }))!;
      const hello = (await core.memoryProposals.propose({ text: 'The user said hello', area: 'fragments', source }))!;
      const row = (id: string) => app.page.locator(`[data-testid="timeline-row"][data-kind="memory_proposal"][data-proposal-id="${id}"]`);

      // Live, as events: the rows arrive pending, with their source.
      await row(hello.proposalId).waitFor();
      assert.equal(await row(dentist.proposalId).getAttribute('data-status'), 'pending');
      assert.equal(await row(dentist.proposalId).getByTestId('proposal-source').textContent(), 'from this conversation');

      await row(dentist.proposalId).getByTestId('proposal-accept').click();
      await app.page.locator(`[data-proposal-id="${dentist.proposalId}"][data-status="accepted"]`).waitFor();
      assert.equal(await row(dentist.proposalId).getByTestId('proposal-state').textContent(), 'remembered');
      assert.equal(await row(dentist.proposalId).getByTestId('proposal-accept').count(), 0, 'an answered proposal has no buttons');

      await row(tea.proposalId).getByTestId('proposal-edit').click();
      await row(tea.proposalId).getByTestId('proposal-edit-text').fill('I take my tea black, no sugar');
      await row(tea.proposalId).getByTestId('proposal-save').click();
      await app.page.locator(`[data-proposal-id="${tea.proposalId}"][data-status="edited"]`).waitFor();
      assert.equal(await row(tea.proposalId).getByTestId('proposal-text').textContent(), 'I take my tea black, no sugar');

      await row(hello.proposalId).getByTestId('proposal-reject').click();
      await app.page.locator(`[data-proposal-id="${hello.proposalId}"][data-status="rejected"]`).waitFor();

      const search = async (query: string) => (await core.gateway.call('memory.search', { query })).hits.map((h) => h.memory.text);
      assert.equal((await search('dentist Okafor'))[0], 'My dentist is Dr. Okafor');
      assert.equal((await search('tea sugar'))[0], 'I take my tea black, no sugar');
      assert.ok(!(await search('said hello')).includes('The user said hello'), 'the rejected proposal was not stored');
      await app.screenshot('memory-proposals-in-timeline');

      // After a reload the answered rows come from the stored timeline, in their final state.
      await app.page.reload();
      await app.page.locator(`[data-proposal-id="${tea.proposalId}"][data-status="edited"]`).waitFor();
      assert.equal(await row(dentist.proposalId).getAttribute('data-status'), 'accepted');
      assert.equal(await row(hello.proposalId).getAttribute('data-status'), 'rejected');
      await waitFor(async () => (await app.page.getByTestId('proposal-source').count()) === 3, 'sources after reload');

      // The source link highlights the message the proposal came from.
      await row(dentist.proposalId).getByTestId('proposal-source').click();
      await app.page.locator('.timeline-focused [data-id="msg_source"]').waitFor();
    } finally {
      await app.close();
    }
  });

  test('proposals are switched on and auto-accept after them in Settings → Memory, and the change reaches the core', async () => {
    const app = await startApp(browser);
    try {
      await app.open();
      await app.page.getByTestId('nav-settings').click();
      const propose = app.page.getByTestId('memory-propose');
      const autoAccept = app.page.getByTestId('memory-auto-accept');
      await propose.waitFor();
      assert.equal(await propose.isChecked(), false, 'off by default');
      assert.equal(await autoAccept.isDisabled(), true, 'auto-accept waits for proposals to be on');
      await propose.click();
      await waitFor(() => app.host.core.memory.extractAfterRuns(), 'proposals on in the core');
      await waitFor(async () => !(await autoAccept.isDisabled()), 'auto-accept enabled');
      await autoAccept.click();
      await waitFor(() => app.host.core.memory.status().autoAcceptProposals, 'auto-accept on in the core');
      await app.page.reload();
      await app.page.getByTestId('nav-settings').click();
      await waitFor(async () => (await app.page.getByTestId('memory-propose').isChecked()) && (await app.page.getByTestId('memory-auto-accept').isChecked()), 'both still on after a reload');
    } finally {
      await app.close();
    }
  });
});
