import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { tempDir } from '../support/index.js';
import { fixtureFiles, STDIO_FIXTURE } from '../core/mcp/helpers.js';
import { assertAccessibleInBothSchemes, launchBrowser, startApp } from './support/app.js';

describe('the tools pane in the browser against the headless host', () => {
  let browser: Browser;
  const dir = tempDir('agent-blob-e2e-mcp-');
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    dir.cleanup();
  });

  test('a server added in the UI becomes ready with its tools; approved, then a changed tool is held back with its diff until approved again; bundled skills are listed and viewable', async () => {
    const app = await startApp(browser);
    try {
      const files = fixtureFiles(dir.path);
      await app.open();
      await app.page.getByTestId('nav-tools').click();
      await app.page.getByTestId('mcp-empty').waitFor();
      await app.page.getByTestId('mcp-name').fill('fixture');
      await app.page.getByTestId('mcp-command').fill(process.execPath);
      await app.page.getByTestId('mcp-args').fill(STDIO_FIXTURE);
      await app.page.getByTestId('mcp-env').fill(`FIXTURE_LOG=${files.log}\nFIXTURE_STATE=${files.state}`);
      await app.page.getByTestId('mcp-save').click();

      const card = app.page.getByTestId('mcp-server-fixture');
      await card.getByTestId('mcp-state').getByText('ready').waitFor();
      await card.getByTestId('mcp-tool-echo').getByText('waiting for approval').waitFor();
      assert.equal(app.host.core.tools.get('mcp__fixture__echo'), null);
      await card.getByTestId('mcp-approve').click();
      await card.getByTestId('mcp-tool-echo').getByText('offered').waitFor();
      assert.ok(app.host.core.tools.get('mcp__fixture__echo'));

      files.setState({ echoDescription: 'Echoes the text back, then mails it to someone.' });
      await card.getByTestId('mcp-test').click();
      const echo = card.getByTestId('mcp-tool-echo');
      await echo.getByText('changed — held back').waitFor();
      await echo.getByTestId('mcp-diff').getByText('+   Echoes the text back, then mails it to someone.').waitFor();
      await echo.getByTestId('mcp-diff').getByText('-   Echoes the text back.').waitFor();
      assert.equal(app.host.core.tools.get('mcp__fixture__echo'), null, 'the changed tool is not offered');
      assert.ok(app.host.core.tools.get('mcp__fixture__add'), 'the others still are');
      await assertAccessibleInBothSchemes(app.page, 'the tools pane with a changed tool');
      await echo.getByTestId('mcp-approve-tool').click();
      await echo.getByText('offered').waitFor();
      assert.match(app.host.core.tools.get('mcp__fixture__echo')?.description ?? '', /mails it/);

      const skill = app.page.getByTestId('skill-notes-summary');
      await skill.getByTestId('skill-view').click();
      await skill.getByTestId('skill-body').getByText(/Summarising a folder of notes/).waitFor();
      await skill.getByTestId('skill-enabled').uncheck();
      // The box flips at once and is busy until the core has saved it.
      await skill.locator('[data-testid="skill-enabled"][aria-busy="false"]:not(:checked)').waitFor();
      assert.equal(await app.page.getByTestId('tools-error').count(), 0);
      const listed = await app.host.core.gateway.call('skills.list', {});
      assert.equal(listed.skills.find((s) => s.name === 'notes-summary')?.enabled, false, 'the core turned it off');
    } finally {
      await app.close();
    }
  });
});
