import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { chunk, gate, sleep, waitFor } from '../support/index.js';
import { assistantRows, composerCleared, connectionState, launchBrowser, rows, sendMessage, startApp, visibleRows } from './support/app.js';

describe('chat in the browser against the headless host', () => {
  let browser: Browser;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('a message sent with Enter shows the reply streaming in from the loopback Anthropic server', async () => {
    const app = await startApp(browser);
    try {
      const reply = 'Hello! I am the loopback model, answering in small streamed pieces.';
      const held = gate();
      app.anthropic.script({ kind: 'stream', chunks: chunk(reply, 6), delayMs: 40, holdLastChunk: held.promise });
      await app.open();
      await app.page.getByTestId('empty-state').getByText('Say hello…').waitFor();
      await app.screenshot('empty-state');

      const input = app.page.getByTestId('composer-input');
      await input.fill('first line');
      await input.press('Shift+Enter');
      await input.pressSequentially('second line');
      await input.press('Enter');

      const user = app.page.locator('[data-testid="timeline-row"][data-role="user"]');
      await user.waitFor();
      assert.equal(await user.getByTestId('message-text').textContent(), 'first line\nsecond line');
      await composerCleared(app.page);
      assert.equal(await input.inputValue(), '', 'the composer is cleared once the message is sent');

      const assistant = assistantRows(app.page);
      await app.page.locator('[data-role="assistant"][data-status="streaming"]').waitFor();
      assert.equal(await app.page.getByTestId('streaming-indicator').count(), 1, 'a streaming reply shows that it is being written');
      held.open();
      await app.page.locator('[data-role="assistant"][data-status="done"]').waitFor();
      assert.equal(await assistant.getByTestId('message-text').textContent(), reply);
      assert.equal(await app.page.getByTestId('streaming-indicator').count(), 0);
      assert.equal(await app.page.getByTestId('stop-button').count(), 0, 'no Stop button once the turn is over');

      const sent = app.anthropic.requests.find((r) => r.path === '/v1/messages');
      assert.ok(sent, 'the reply came from the loopback Anthropic server');
      assert.deepEqual((sent.body as { messages: { role: string }[] }).messages.at(-1)?.role, 'user');
      await app.screenshot('anthropic-streamed-reply');
    } finally {
      await app.close();
    }
  });

  test('Stop cancels a slow reply: the run shows cancelled at once and no text arrives after it', async () => {
    const app = await startApp(browser);
    try {
      const words = Array.from({ length: 200 }, (_, i) => `w${i} `);
      app.anthropic.script({ kind: 'stream', chunks: words, delayMs: 60 });
      await app.open();
      await sendMessage(app.page, 'tell me a very long story');
      const text = assistantRows(app.page).getByTestId('message-text');
      await waitFor(async () => ((await text.textContent()) ?? '').length > 10, 'the first streamed words');
      await app.page.getByTestId('stop-button').waitFor();

      // Measured inside the page: from the click to the cancelled line being in the DOM, and the
      // reply's text at that very moment (read later, text that slipped in meanwhile would go unseen).
      const atCancelled = await app.page.evaluate(
        () =>
          new Promise<{ elapsedMs: number; text: string }>((resolve, reject) => {
            const button = document.querySelector<HTMLButtonElement>('[data-testid="stop-button"]');
            if (!button) return reject(new Error('no Stop button'));
            const started = performance.now();
            // (no named helpers in here: tsx would wrap them in a `__name` call the page does not have)
            const observer = new MutationObserver(() => {
              if (document.querySelector('[data-kind="run_status"][data-status="cancelled"]')) {
                observer.disconnect();
                const reply = document.querySelector('[data-testid="timeline-row"][data-role="assistant"] [data-testid="message-text"]');
                resolve({ elapsedMs: performance.now() - started, text: reply?.textContent ?? '' });
              }
            });
            observer.observe(document.body, { subtree: true, childList: true, attributes: true });
            button.click();
          }),
      );
      const { elapsedMs } = atCancelled;
      // Informational: a busy machine says nothing about the app's speed (the test's timeout bounds a hang).
      console.log(`stop → cancelled shown in ${elapsedMs.toFixed(1)} ms`);

      await app.page.locator('[data-role="assistant"][data-status="cancelled"]').waitFor();
      // The loopback would have sent ~10 more words in this time had the stream not been cut.
      await sleep(600);
      assert.ok(atCancelled.text.length > 10, 'the reply had begun when it was stopped');
      assert.equal(await text.textContent(), atCancelled.text, 'no text arrives after cancelled');
      assert.ok(atCancelled.text.length < words.join('').length, 'the reply was cut short');
      assert.equal(await app.page.getByTestId('stop-button').count(), 0);
      await waitFor(() => app.anthropic.requests.find((r) => r.path === '/v1/messages')?.aborted, 'the model stream to be aborted');

      // And in the log itself: after the run's cancelled status, nothing more of that run but the
      // cut-short message being stored whole.
      const { events } = await app.host.core.gateway.call('events.since', { fromSeq: 0, limit: 10_000 });
      const cancelled = events.find((e) => e.type === 'run.status' && e.data.to === 'cancelled');
      assert.ok(cancelled, 'the run was cancelled in the log');
      const later = events.filter((e) => e.seq > cancelled.seq && e.runId === cancelled.runId);
      assert.deepEqual(later.filter((e) => e.type === 'message.delta'), [], 'no text of the run after cancelled');
      const stored = events.find((e) => e.type === 'message.completed' && e.runId === cancelled.runId);
      // (shown as Markdown, whose paragraphs drop a trailing space)
      assert.equal(stored?.type === 'message.completed' ? stored.data.text.trimEnd() : undefined, atCancelled.text, 'the stored reply is what was shown at cancel');
      await app.screenshot('stop-cancelled');
    } finally {
      await app.close();
    }
  });

  test('reloading the page brings the whole timeline back, without the token in the address bar', async () => {
    const app = await startApp(browser);
    try {
      app.anthropic.script(
        { kind: 'stream', chunks: chunk('The first answer.', 4), delayMs: 5 },
        // A 400 is not retried, so the turn fails at once with a readable error.
        { kind: 'error', status: 400, type: 'invalid_request_error', message: 'loopback refuses this request' },
        { kind: 'stream', chunks: chunk('The third answer, after an error.', 4), delayMs: 5 },
      );
      await app.open();
      assert.ok(!app.page.url().includes('token='), `the token is removed from the address bar (${app.page.url()})`);
      await sendMessage(app.page, 'one');
      await app.page.locator('[data-role="assistant"][data-status="done"]').waitFor();
      await sendMessage(app.page, 'two');
      await app.page.locator('[data-kind="error"]').first().waitFor();
      await app.host.core.idle();
      await sendMessage(app.page, 'three');
      await waitFor(async () => (await app.page.locator('[data-role="assistant"][data-status="done"]').count()) === 2, 'the third reply');
      await app.host.core.idle();
      const before = await visibleRows(app.page);
      assert.ok(before.some((r) => r.kind === 'error' && /loopback refuses this request/.test(r.text)), 'the provider error is shown readably');
      // The whole timeline is the core's, not merely what the page showed before: every item, in order.
      const { items } = await app.host.core.gateway.call('timeline.list', {});
      // The failed turn's reply has no text: the core keeps it, the page leaves out exactly that one
      // empty bubble (the error row and the Failed line say what happened) and nothing else.
      const emptyFailed = items.filter((item) => item.kind === 'message' && item.role === 'assistant' && item.status === 'failed' && item.text === '');
      assert.equal(emptyFailed.length, 1, 'the core timeline holds the failed turn\'s empty reply');
      const coreRows = items.filter((item) => !emptyFailed.includes(item)).map((item) => `${item.id}:${'status' in item ? item.status : ''}`);
      const shownRows = () => rows(app.page).evaluateAll((els) => els.map((el) => `${el.getAttribute('data-id')}:${el.getAttribute('data-status') ?? ''}`));
      assert.deepEqual(await shownRows(), coreRows, 'before the reload the page shows the core timeline, but for the empty failed reply');
      assert.deepEqual(
        before.filter((r) => r.kind === 'message').map((r) => `${r.role}:${r.status}:${r.text}`),
        ['user:done:one', 'assistant:done:The first answer.', 'user:done:two', 'user:done:three', 'assistant:done:The third answer, after an error.'],
      );
      const failedTurn = before.slice(before.findIndex((r) => r.kind === 'message' && r.text === 'two') + 1, before.findIndex((r) => r.kind === 'message' && r.text === 'three'));
      assert.deepEqual(
        failedTurn.map((r) => (r.kind === 'run_status' ? `run_status:${r.status}` : r.kind)),
        ['error', 'run_status:failed'],
        'the failed turn shows its error and its Failed line, with no empty bubble',
      );

      await app.page.reload();
      await connectionState(app.page, 'open');
      await waitFor(async () => (await rows(app.page).count()) === before.length, 'the timeline after reload');
      assert.deepEqual(await visibleRows(app.page), before);
      assert.deepEqual(await shownRows(), coreRows, 'after the reload: the same items, ids and statuses');
      await app.screenshot('after-reload');
    } finally {
      await app.close();
    }
  });

  test('the same chat works through the loopback Ollama server (in dark mode)', async () => {
    const app = await startApp(browser, { colorScheme: 'dark' });
    try {
      await app.host.core.gateway.call('settings.update', { chatModel: 'ollama:llama3.2' });
      const reply = 'Hi, this is llama on loopback.';
      const held = gate();
      app.ollama.script({ kind: 'stream', chunks: chunk(reply, 5), delayMs: 30, holdLastChunk: held.promise });
      await app.open();
      await sendMessage(app.page, 'hello llama');
      await app.page.locator('[data-role="assistant"][data-status="streaming"]').waitFor();
      held.open();
      const done = app.page.locator('[data-role="assistant"][data-status="done"]');
      await done.waitFor();
      assert.equal(await done.getByTestId('message-text').textContent(), reply);
      assert.match((await done.locator('.message-model').textContent()) ?? '', /ollama/);
      assert.equal(app.anthropic.requests.filter((r) => r.path === '/v1/messages').length, 0, 'Anthropic was not asked to chat');
      const background = await app.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      assert.equal(background, 'rgb(23, 24, 26)', 'the dark palette follows prefers-color-scheme');
      assert.equal(app.ollama.requests.filter((r) => r.path === '/api/chat').length, 1);
      await app.screenshot('ollama-reply');
    } finally {
      await app.close();
    }
  });

  test('when the socket drops the indicator shows reconnecting and the timeline resumes without gaps or duplicates', async () => {
    const app = await startApp(browser);
    try {
      const words = Array.from({ length: 40 }, (_, i) => `w${String(i).padStart(2, '0')} `);
      app.anthropic.script({ kind: 'stream', chunks: words, delayMs: 25 });
      await app.open();
      // Every state the indicator shows, in order, even ones that last a few ms.
      await app.page.evaluate(() => {
        const seen: string[] = [];
        (window as unknown as { seenStates: string[] }).seenStates = seen;
        const el = document.querySelector('[data-testid="connection-state"]')!;
        new MutationObserver(() => {
          const entry = `${el.getAttribute('data-state')}|${el.textContent}`;
          if (seen.at(-1) !== entry) seen.push(entry);
        }).observe(el, { subtree: true, childList: true, attributes: true, characterData: true });
      });
      await sendMessage(app.page, 'count slowly');
      const text = assistantRows(app.page).getByTestId('message-text');
      await waitFor(async () => ((await text.textContent()) ?? '').includes('w05'), 'the reply to be under way');

      app.host.dropClients();
      await waitFor(async () => (await app.page.evaluate(() => (window as unknown as { seenStates: string[] }).seenStates)).some((s) => s.startsWith('open')), 'a reconnect');
      await app.page.locator('[data-role="assistant"][data-status="done"]').waitFor();
      await app.host.core.idle();

      const seen = await app.page.evaluate(() => (window as unknown as { seenStates: string[] }).seenStates);
      const reconnecting = seen.find((s) => s.startsWith('reconnecting'));
      assert.ok(reconnecting, `the indicator showed reconnecting (saw ${JSON.stringify(seen)})`);
      assert.match(reconnecting, /Reconnecting…/);
      assert.match(reconnecting, /connection lost/, 'with the reason');
      await connectionState(app.page, 'open');

      // Markdown drops the trailing space of a paragraph.
      assert.equal(await text.textContent(), words.join('').trimEnd(), 'every streamed piece exactly once, in order');
      const { items } = await app.host.core.gateway.call('timeline.list', {});
      const shown = await rows(app.page).evaluateAll((els) => els.map((el) => `${el.getAttribute('data-id')}:${el.getAttribute('data-status')}`));
      assert.deepEqual(shown, items.map((item) => `${item.id}:${'status' in item ? item.status : null}`), 'the same rows as the core timeline');
      await app.screenshot('after-reconnect');
    } finally {
      await app.close();
    }
  });

  test('the composer keeps the draft when the host refuses it, and is disabled with the draft kept while disconnected', async () => {
    const app = await startApp(browser);
    try {
      await app.open();
      const input = app.page.getByTestId('composer-input');
      const tooLong = 'x'.repeat(100_001);
      await input.fill(tooLong);
      await input.press('Enter');
      await app.page.getByTestId('send-error').waitFor();
      assert.match((await app.page.getByTestId('send-error').textContent()) ?? '', /^Not sent: .*text/);
      assert.equal(await input.inputValue(), tooLong, 'the draft is kept');
      assert.equal(await rows(app.page).count(), 0, 'nothing was added to the timeline');

      await input.fill('a draft written before the host went away');
      assert.equal(await app.page.getByTestId('send-error').count(), 0, 'editing the draft clears the old error');
      app.allowConsoleErrors(/WebSocket connection to .* failed/);
      // The renderer asks the stopped host over HTTP whether it is there at all.
      app.allowConsoleErrors(/Failed to load resource: net::ERR_CONNECTION_REFUSED/);
      await app.host.close();
      await connectionState(app.page, 'reconnecting');
      assert.equal(await input.isDisabled(), true, 'the composer is disabled while disconnected');
      assert.equal(await input.inputValue(), 'a draft written before the host went away');
      assert.match((await app.page.getByTestId('connection-detail').textContent()) ?? '', /connection lost|cannot connect/);
      await app.screenshot('disconnected-composer');
    } finally {
      await app.close();
    }
  });

  test('a window holding an old token is told the host refused it, and a stopped host is told apart as unreachable', async () => {
    const app = await startApp(browser);
    try {
      // What a tab left open across a host restart has: the address of this host, a token it no longer takes.
      app.allowConsoleErrors(/WebSocket connection to .* failed/);
      await app.page.goto(app.host.url.replace(/token=[^&]*/, 'token=from-an-earlier-launch'));
      await connectionState(app.page, 'reconnecting');
      const detail = app.page.getByTestId('connection-detail');
      await waitFor(async () => /refused this window/.test((await detail.textContent()) ?? ''), 'the refusal to be explained');
      assert.match((await detail.textContent()) ?? '', /^cannot connect: the host refused this window: .*open the address it printed$/);
      await app.screenshot('refused-token');

      app.allowConsoleErrors(/Failed to load resource: net::ERR_CONNECTION_REFUSED/);
      await app.host.close();
      await waitFor(async () => /cannot be reached/.test((await detail.textContent()) ?? ''), 'the stopped host to be reported unreachable');
      assert.doesNotMatch((await detail.textContent()) ?? '', /refused/);
    } finally {
      await app.close();
    }
  });

  test('a tool call shows as a collapsed card that opens to its arguments and result', async () => {
    const app = await startApp(browser);
    try {
      app.anthropic.script(
        { kind: 'stream', chunks: ['Let me check the time.'], toolCalls: [{ id: 'toolu_1', name: 'current_time', arguments: {} }] },
        { kind: 'stream', chunks: chunk('It is now.', 4), delayMs: 5 },
      );
      await app.open();
      await sendMessage(app.page, 'what time is it?');
      const card = app.page.locator('[data-testid="timeline-row"][data-kind="tool_call"]');
      await app.page.locator('[data-kind="tool_call"][data-status="ok"]').waitFor();
      assert.match((await card.locator('summary').textContent()) ?? '', /current_time.*done/);
      assert.equal(await card.locator('.tool-body').isVisible(), false, 'collapsed at first');
      await card.locator('summary').click();
      await card.locator('.tool-body').waitFor();
      assert.match((await card.locator('.tool-body').textContent()) ?? '', /Arguments.*Result/s);
      await waitFor(async () => (await assistantRows(app.page).last().getAttribute('data-status')) === 'done', 'the final reply');
      await app.screenshot('tool-card');
    } finally {
      await app.close();
    }
  });

  test('a timeline item of a kind this build does not know shows as a plain line and the rest still renders', async () => {
    const app = await startApp(browser);
    try {
      app.anthropic.script({ kind: 'stream', chunks: chunk('Hello there.', 4), delayMs: 1 });
      await app.host.core.gateway.call('chat.send', { text: 'hi' });
      await app.host.core.idle();
      // What a newer core could send an older page: the host's real frames, with one more item in the
      // timeline page of a kind added later.
      await app.page.routeWebSocket(/\/ws/, (ws) => {
        const server = ws.connectToServer();
        ws.onMessage((message) => server.send(message));
        server.onMessage((message) => {
          const frame = JSON.parse(String(message)) as { ok?: boolean; result?: { items?: unknown[]; head?: number; hasMore?: boolean } };
          const page = frame.ok ? frame.result : undefined;
          if (page && Array.isArray(page.items) && typeof page.head === 'number' && typeof page.hasMore === 'boolean') {
            page.items.push({ kind: 'calendar_reminder', id: 'future-1', seq: page.head + 0.5, ts: Date.UTC(2026, 0, 1), runId: null, note: 'water the plants' });
          }
          ws.send(JSON.stringify(frame));
        });
      });
      await app.open();
      const future = app.page.locator('[data-testid="timeline-row"][data-kind="calendar_reminder"]');
      await future.waitFor();
      assert.match((await future.textContent()) ?? '', /calendar reminder/);
      assert.deepEqual(
        (await visibleRows(app.page)).map((r) => `${r.kind}:${r.role}:${r.status}`),
        ['message:user:done', 'message:assistant:done', 'calendar_reminder::'],
      );
    } finally {
      await app.close();
    }
  });

  test('with a desktop bridge in the window the renderer talks through it and opens no WebSocket of its own', async () => {
    const app = await startApp(browser);
    try {
      app.anthropic.script({ kind: 'stream', chunks: chunk('Over the bridge.', 4), delayMs: 5 });
      // Stands in for Electron's preload: a DesktopBridge carrying the same frames. It reaches core
      // through the host's WebSocket, with the token only it knows; the page URL has none.
      await app.page.addInitScript((wsUrl) => {
        const Native = WebSocket;
        const listeners = new Set<(frame: unknown) => void>();
        let socket: WebSocket | null = null;
        let queue: string[] = [];
        (window as unknown as Record<string, unknown>).agentBlob = {
          open() {
            socket = new Native(wsUrl);
            socket.onopen = () => {
              for (const frame of queue) socket!.send(frame);
              queue = [];
            };
            socket.onmessage = (m) => listeners.forEach((l) => l(JSON.parse(String(m.data))));
          },
          send(frame: unknown) {
            const text = JSON.stringify(frame);
            if (socket && socket.readyState === Native.OPEN) socket.send(text);
            else queue.push(text);
          },
          onFrame(listener: (frame: unknown) => void) {
            listeners.add(listener);
            return () => listeners.delete(listener);
          },
          close() {
            socket?.close();
          },
        };
        // Counts the sockets the page itself opens; the bridge uses the unwrapped class.
        (window as unknown as Record<string, unknown>).pageSockets = 0;
        window.WebSocket = class extends Native {
          constructor(url: string | URL, protocols?: string | string[]) {
            super(url, protocols);
            (window as unknown as { pageSockets: number }).pageSockets++;
          }
        } as typeof WebSocket;
      }, app.host.wsUrl);
      await app.page.goto(app.host.url.replace(/\?token=.*/, ''));
      await connectionState(app.page, 'open');
      await sendMessage(app.page, 'hello desktop');
      const done = app.page.locator('[data-role="assistant"][data-status="done"]');
      await done.waitFor();
      assert.equal(await done.getByTestId('message-text').textContent(), 'Over the bridge.');
      assert.equal(await app.page.evaluate(() => (window as unknown as { pageSockets: number }).pageSockets), 0, 'the renderer opened no WebSocket');
      await app.screenshot('desktop-bridge');
    } finally {
      await app.close();
    }
  });

  test('reloading while a reply streams shows the text so far and the rest streams in, nothing twice', async () => {
    const app = await startApp(browser);
    try {
      const words = Array.from({ length: 40 }, (_, i) => `r${String(i).padStart(2, '0')} `);
      const held = gate();
      app.anthropic.script({ kind: 'stream', chunks: words, delayMs: 80, holdLastChunk: held.promise });
      await app.open();
      await sendMessage(app.page, 'stream while I reload');
      const text = assistantRows(app.page).getByTestId('message-text');
      await waitFor(async () => ((await text.textContent()) ?? '').includes('r08'), 'the reply to be under way');
      await app.page.reload();
      await connectionState(app.page, 'open');
      // The last word is held back until the page is back, so it comes back mid-stream however busy the machine.
      await app.page.locator('[data-role="assistant"][data-status="streaming"]').waitFor();
      assert.match((await text.textContent()) ?? '', /^r00 r01 r02 r03 r04 r05 r06 r07 r08 /, 'the text so far came back with the page');
      held.open();
      await app.page.locator('[data-role="assistant"][data-status="done"]').waitFor();
      assert.equal(await text.textContent(), words.join('').trimEnd());
      await app.screenshot('reload-mid-stream');
    } finally {
      await app.close();
    }
  });

  test("a reply's code blocks, inline code and bold are formatted, and markup in a reply stays text", async () => {
    const app = await startApp(browser);
    try {
      const reply = 'Run `npm test` **now**:\n```sh\nnpm install\nnpm test\n```\nThen <img src=x onerror="window.pwned=1"> is just text.';
      app.anthropic.script({ kind: 'stream', chunks: chunk(reply, 7), delayMs: 10 });
      await app.open();
      await sendMessage(app.page, 'how do I run the tests?');
      const done = app.page.locator('[data-role="assistant"][data-status="done"]');
      await done.waitFor();
      const text = done.getByTestId('message-text');
      assert.equal(await text.locator('.code-block pre code').textContent(), 'npm install\nnpm test');
      assert.equal(await text.locator('.code-block').getAttribute('data-language'), 'sh');
      assert.equal(await text.locator('p > code').textContent(), 'npm test');
      assert.equal(await text.locator('strong').textContent(), 'now');
      assert.equal(await text.locator('img').count(), 0, 'no element was made from the reply');
      assert.match((await text.textContent()) ?? '', /Then <img src=x onerror="window.pwned=1"> is just text\.$/);
      assert.equal(await app.page.evaluate(() => (window as unknown as { pwned?: number }).pwned), undefined);
      await app.screenshot('formatted-reply');
    } finally {
      await app.close();
    }
  });
});
