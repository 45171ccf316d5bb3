import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { waitFor } from '../support/index.js';
import { assertAccessibleInBothSchemes, launchBrowser, sidewaysOverflow, startApp, WIDTHS } from './support/app.js';

/**
 * Forget's question, asked where the button was, at the narrowest width: nothing sticks out, the
 * confirming button is on screen, and axe passes in light and dark there and at the pane's width.
 */
async function confirmFitsNarrow(page: Page, confirm: Locator, what: string): Promise<void> {
  const wide = page.viewportSize()!;
  await assertAccessibleInBothSchemes(page, `${what}, asking first, at ${wide.width} px`);
  await page.setViewportSize({ width: WIDTHS[0], height: wide.height });
  try {
    await confirm.scrollIntoViewIfNeeded();
    const box = await confirm.boundingBox();
    assert.ok(box && box.x >= 0 && box.x + box.width <= WIDTHS[0] + 1, `the confirm button for ${what} is on screen at ${WIDTHS[0]} px`);
    assert.deepEqual(await sidewaysOverflow(page), [], `${what}: the pane fits at ${WIDTHS[0]} px`);
    await assertAccessibleInBothSchemes(page, `${what}, asking first, at ${WIDTHS[0]} px`);
  } finally {
    await page.setViewportSize(wide);
  }
}

describe('the memory pane in the browser against the headless host', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('searches with highlighting, pins, edits, forgets one and several, imports, exports, answers proposals, and jumps to the source message', async () => {
    const app = await startApp(browser);
    try {
      const core = app.host.core;
      // A long timeline, so the source message is far out of view when the chat pane opens.
      core.log.transaction(() => {
        core.log.append('message.created', { messageId: 'msg_source', role: 'user', text: 'By the way, my passport expires in August 2027.', status: 'done' });
        for (let i = 0; i < 80; i++) core.log.append('message.created', { messageId: `msg_filler_${i}`, role: 'user', text: `filler message number ${i}`, status: 'done' });
      });
      const fromChat = await core.gateway.call('memory.add', { text: 'My passport expires in August 2027', area: 'main', source: { kind: 'run', runId: null, messageId: 'msg_source' } });
      const tea = await core.gateway.call('memory.add', { text: 'I drink rooibos tea in the evening', area: 'main' });
      const fix = await core.gateway.call('memory.add', { text: 'Problem: printer offline. Fix: re-add it by IP address', area: 'solutions' });
      const other = await core.gateway.call('memory.add', { text: 'Use jq -r to print raw strings', area: 'instruments' });

      await app.open();
      await app.page.getByTestId('nav-memory').click();
      const list = app.page.getByTestId('memory-row');
      await waitFor(async () => (await list.count()) === 4, 'four memories listed');

      // Search, with the matched word marked.
      await app.page.getByTestId('memory-search').fill('passports');
      const first = list.first();
      await waitFor(async () => (await first.getAttribute('data-id')) === fromChat.memory.id, 'the passport memory first');
      assert.equal(await first.locator('mark').first().textContent(), 'passport');

      // Pin, then filter by pinned.
      await first.getByTestId('memory-pin').click();
      await app.page.locator(`[data-testid="memory-row"][data-id="${fromChat.memory.id}"][data-pinned="true"]`).waitFor();
      assert.equal((await core.gateway.call('memory.get', { id: fromChat.memory.id })).pinned, true);
      await app.page.getByTestId('memory-search').fill('');
      await app.page.getByTestId('memory-pinned-only').check();
      await waitFor(async () => (await list.count()) === 1, 'only the pinned memory');
      await app.page.getByTestId('memory-pinned-only').uncheck();
      await app.page.getByTestId('memory-area').selectOption('solutions');
      await waitFor(async () => (await list.count()) === 1 && (await list.first().getAttribute('data-id')) === fix.memory.id, 'only the solution');
      await app.page.getByTestId('memory-area').selectOption('');
      await waitFor(async () => (await list.count()) === 4, 'all four again');

      // Edit.
      const teaRow = app.page.locator(`[data-testid="memory-row"][data-id="${tea.memory.id}"]`);
      await teaRow.getByTestId('memory-edit').click();
      await teaRow.getByTestId('memory-edit-text').fill('I drink rooibos or mint tea in the evening');
      await teaRow.getByTestId('memory-edit-save').click();
      await teaRow.getByText('I drink rooibos or mint tea in the evening').waitFor();
      assert.equal((await core.gateway.call('memory.get', { id: tea.memory.id })).text, 'I drink rooibos or mint tea in the evening');

      // Forget one: it asks first; "Keep" keeps it; confirmed, it is gone from the pane and from search.
      const otherRow = app.page.locator(`[data-testid="memory-row"][data-id="${other.memory.id}"]`);
      await otherRow.getByTestId('memory-forget').click();
      await otherRow.getByRole('button', { name: 'Keep' }).click();
      assert.equal(await list.count(), 4, 'nothing forgotten without the confirmation');
      assert.equal((await core.gateway.call('memory.get', { id: other.memory.id })).id, other.memory.id);
      await otherRow.getByTestId('memory-forget').click();
      await confirmFitsNarrow(app.page, otherRow.getByTestId('memory-forget-confirm'), 'forgetting one memory');
      await otherRow.getByTestId('memory-forget-confirm').click();
      await waitFor(async () => (await list.count()) === 3, 'three left');
      assert.equal((await core.gateway.call('memory.search', { query: 'jq raw strings' })).hits.some((h) => h.memory.id === other.memory.id), false);

      // Import two, then forget them together.
      await app.page.getByTestId('memory-import-input').setInputFiles({
        name: 'memories.jsonl',
        mimeType: 'application/jsonl',
        buffer: Buffer.from(['{"text":"Kyoto trip is in April","area":"main"}', 'not json', '{"text":"Gym costs 55 euros a month","area":"main"}'].join('\n')),
      });
      await app.page.getByTestId('memory-notice').getByText(/Imported 2, 0 already known\. Skipped 1 bad line \(line 2/).waitFor();
      await waitFor(async () => (await list.count()) === 5, 'five after the import');
      for (const text of ['Kyoto trip is in April', 'Gym costs 55 euros a month']) await list.filter({ hasText: text }).getByTestId('memory-select').check();
      await app.page.getByTestId('memory-forget-selected').click();
      await confirmFitsNarrow(app.page, app.page.getByTestId('memory-forget-selected-confirm'), 'forgetting the selected memories');
      await app.page.getByTestId('memory-forget-selected-confirm').click();
      await waitFor(async () => (await list.count()) === 3, 'bulk forget');

      // Export downloads JSONL of what is left.
      const download = app.page.waitForEvent('download');
      await app.page.getByTestId('memory-export').click();
      const lines = readFileSync(await (await download).path(), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string; pinned: boolean });
      assert.deepEqual(lines.map((l) => l.text).sort(), ['I drink rooibos or mint tea in the evening', 'My passport expires in August 2027', 'Problem: printer offline. Fix: re-add it by IP address']);
      await app.screenshot('memory-pane');

      // Proposals from a conversation: one remembered after an edit, one dismissed.
      await core.memoryProposals.propose({ text: 'I have a dentist appointment on Friday', area: 'main', source: { kind: 'run', runId: null, messageId: 'msg_source' } });
      await core.memoryProposals.propose({ text: 'The user said hello', area: 'fragments', source: { kind: 'run', runId: null, messageId: 'msg_source' } });
      const proposals = app.page.getByTestId('memory-proposal');
      await waitFor(async () => (await proposals.count()) === 2, 'two proposals shown');
      const dentist = proposals.filter({ has: app.page.locator('textarea', { hasText: 'dentist' }) });
      await dentist.getByTestId('memory-proposal-text').fill('Dentist appointment on Friday at 9:00');
      await dentist.getByTestId('memory-proposal-accept').click();
      await proposals.filter({ has: app.page.locator('textarea', { hasText: 'hello' }) }).getByTestId('memory-proposal-reject').click();
      await waitFor(async () => (await proposals.count()) === 0, 'both answered');
      await list.filter({ hasText: 'Dentist appointment on Friday at 9:00' }).waitFor();
      const answered = (await core.gateway.call('memory.proposals', {})).proposals.map((p) => p.status).sort();
      assert.deepEqual(answered, ['accepted', 'rejected']);

      // Source: the chat pane opens scrolled to the message the memory came from.
      await app.page.locator(`[data-testid="memory-row"][data-id="${fromChat.memory.id}"]`).getByTestId('memory-jump').click();
      await app.page.getByTestId('pane-chat').waitFor();
      const source = app.page.locator('[data-testid="timeline-row"][data-id="msg_source"]');
      await source.waitFor();
      await waitFor(async () => {
        const box = await source.boundingBox();
        const view = app.page.viewportSize()!;
        return box !== null && box.y >= 0 && box.y + box.height <= view.height;
      }, 'the source message in view');
      assert.equal(await app.page.locator('.timeline-focused [data-id="msg_source"]').count(), 1, 'the source message is highlighted');
      await app.screenshot('memory-jump-to-source');
    } finally {
      await app.close();
    }
  });

  test('lists long shots apart from matches, and says which memory a newer one updates', async () => {
    const app = await startApp(browser);
    try {
      const core = app.host.core;
      const day = 86_400_000;
      const now = Date.now();
      await core.gateway.call('memory.import', {
        jsonl: [
          { text: "Dad's blood pressure is fine since he cut down on salt", area: 'main', created_at: now - 90 * day },
          { text: 'climbing gym: the Crux in Ballard, $89 a month', area: 'main', created_at: now - 500 * day },
          { text: 'cancelled the Crux, joined Summit co-op in Fremont (walkable)', area: 'main', created_at: now - 40 * day },
        ]
          .map((m) => JSON.stringify(m))
          .join('\n'),
      });
      await app.open();
      await app.page.getByTestId('nav-memory').click();
      await waitFor(async () => (await app.page.getByTestId('memory-row').count()) === 3, 'three memories listed');

      // A question no memory answers: the memory sharing a word is listed, but only under long shots.
      await app.page.getByTestId('memory-search').fill("What's my blood type?");
      const longShots = app.page.getByTestId('memory-long-shots');
      await longShots.getByText("Dad's blood pressure is fine").waitFor();
      assert.equal(await app.page.getByTestId('memory-list').count(), 0, 'no match above the long shots');
      assert.match((await app.page.getByTestId('memory-count').textContent()) ?? '', /^0 matches, best first, and \d+ long shots?$/);

      // A question the older memory answers: it is the match, and says a newer memory updates it; the
      // newer one says only that the gym changed, so it is listed as a long shot that says what it updates.
      await app.page.getByTestId('memory-search').fill('which climbing gym do I go to?');
      const matches = app.page.getByTestId('memory-list').getByTestId('memory-row');
      const newer = longShots.getByTestId('memory-row').filter({ hasText: 'cancelled the Crux' });
      await waitFor(async () => (await matches.filter({ hasText: 'climbing gym: the Crux' }).count()) === 1 && (await newer.count()) === 1, 'the older memory a match, the newer one a long shot');
      await newer.getByRole('button', { name: 'why this rank?' }).click();
      await newer.getByTestId('memory-replaces').waitFor();
      const older = matches.filter({ hasText: 'climbing gym: the Crux' });
      await older.getByRole('button', { name: 'why this rank?' }).click();
      assert.match((await older.getByTestId('memory-replaced').textContent()) ?? '', /"cancelled" about "crux"/);
      await assertAccessibleInBothSchemes(app.page, 'memory pane with long shots and an explained update');
    } finally {
      await app.close();
    }
  });

  test('says which relation of the question a name answers for, as the question writes it', async () => {
    const app = await startApp(browser);
    try {
      const now = Date.now();
      await app.host.core.gateway.call('memory.import', {
        jsonl: ['Dan (Daniel Petrakis) is my partner.', "Dan's parents Stavros and Eleni live in Campbelltown.", 'Bins go out on Tuesday night']
          .map((text, i) => JSON.stringify({ text, area: 'main', created_at: now - (3 - i) * 60_000 }))
          .join('\n'),
      });
      await app.open();
      await app.page.getByTestId('nav-memory').click();
      await waitFor(async () => (await app.page.getByTestId('memory-row').count()) === 3, 'three memories listed');
      await app.page.getByTestId('memory-search').fill('which suburb are my in-laws in?');
      // Found, as a match or a long shot: the row of a search result explains its rank.
      const row = app.page.getByTestId('memory-row').filter({ hasText: 'Campbelltown' });
      await row.getByRole('button', { name: 'why this rank?' }).click();
      const why = (await row.getByTestId('memory-explain').textContent()) ?? '';
      assert.match(why, /in-laws → (Stavros|Eleni), as memory \S+ says/);
    } finally {
      await app.close();
    }
  });
});
