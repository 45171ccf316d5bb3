import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { _electron } from 'playwright-core';
import { AnthropicLoopback, chunk, tempDir } from '../support/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** The Electron binary as its package recorded it, or why there is none (never starts a download). */
function electronBinary(): { binary: string } | { reason: string } {
  const pkg = join(root, 'node_modules', 'electron');
  const pathFile = join(pkg, 'path.txt');
  if (!existsSync(pathFile)) return { reason: 'no Electron binary is installed (node_modules/electron/path.txt is missing; the download failed or was skipped)' };
  const binary = join(process.env.ELECTRON_OVERRIDE_DIST_PATH ?? join(pkg, 'dist'), readFileSync(pathFile, 'utf8').trim());
  return existsSync(binary) ? { binary } : { reason: `no Electron binary at ${binary}` };
}

/** Why the end-to-end run through real Electron cannot happen here, or null when it can. */
function whyNotRunnable(): string | null {
  const found = electronBinary();
  if ('reason' in found) return found.reason;
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) return 'no display (DISPLAY / WAYLAND_DISPLAY unset)';
  if (!existsSync(join(root, 'dist', 'electron', 'main.js')) || !existsSync(join(root, 'dist', 'renderer', 'desktop.html'))) return 'the app is not built (npm run build)';
  const probe = spawnSync(found.binary, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], {
    cwd: root,
    env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    encoding: 'utf8',
  });
  if (probe.status !== 0 && !process.env.AGENT_BLOB_SQLITE_ADDON) {
    return 'better-sqlite3 is built for Node, not Electron; run `npm start` once (it fetches an Electron build) and set AGENT_BLOB_SQLITE_ADDON';
  }
  return null;
}

const skip = whyNotRunnable();

test('through real Electron: the sandboxed page has the bridge and no Node, and a chat reply streams over IPC', { skip: skip ?? false }, async () => {
  const anthropic = await AnthropicLoopback.start();
  anthropic.script({ kind: 'stream', chunks: chunk('Hello from the desktop app.') });
  const dir = tempDir('agent-blob-electron-');
  const found = electronBinary() as { binary: string };
  const app = await _electron.launch({
    executablePath: found.binary,
    args: [root],
    env: { ...process.env, AGENT_BLOB_DATA_DIR: dir.path, ANTHROPIC_BASE_URL: anthropic.url, ANTHROPIC_API_KEY: 'sk-ant-test-key-000000' },
  });
  try {
    const page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
    const shape = await page.evaluate(() => ({
      bridge: typeof (window as unknown as { agentBlob?: unknown }).agentBlob,
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process,
    }));
    assert.deepEqual(shape, { bridge: 'object', require: 'undefined', process: 'undefined' });
    const reply = await page.evaluate(
      () =>
        new Promise<string>((resolve, reject) => {
          type Frame = { id?: number; ok?: boolean; event?: { type: string; data: { text?: string; role?: string } } };
          const bridge = (window as unknown as { agentBlob: { open(): void; send(f: unknown): void; onFrame(l: (f: Frame) => void): () => void } }).agentBlob;
          const timer = setTimeout(() => reject(new Error('no reply within 10 s')), 10_000);
          bridge.onFrame((frame) => {
            if (frame.event?.type === 'message.completed' && frame.event.data.text) {
              clearTimeout(timer);
              resolve(frame.event.data.text);
            }
          });
          bridge.open();
          bridge.send({ id: 900001, command: 'events.subscribe', args: { fromSeq: 0 } });
          bridge.send({ id: 900002, command: 'chat.send', args: { text: 'hello', model: 'anthropic:claude-loopback' } });
        }),
    );
    assert.equal(reply, 'Hello from the desktop app.');
  } finally {
    await app.close();
    await anthropic.close();
    dir.cleanup();
  }
});
