import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { createCore, type Core } from '../../core/app.js';
import { createMemorySecretStore } from '../../core/secrets/index.js';
import { silentLogger } from '../../core/util/index.js';
import { AnthropicLoopback, tempDir } from '../support/index.js';
import { spawnUntilReady, type Spawned } from './spawn.js';

/** The loopback Anthropic server of a suite: started before its tests, closed after them. */
export function anthropicForSuite(): () => AnthropicLoopback {
  let anthropic: AnthropicLoopback | undefined;
  before(async () => {
    anthropic = await AnthropicLoopback.start();
  });
  after(async () => {
    await anthropic?.close();
  });
  return () => {
    if (!anthropic) throw new Error('the loopback server starts before the tests');
    return anthropic;
  };
}

/**
 * Starts a host child (`tests/crash/<name>.ts`, which prints one JSON line when ready) on a fresh data
 * folder, its provider the loopback server, and runs `body` with it; the folder is removed after.
 */
export async function withHostChild(child: string, anthropic: AnthropicLoopback, body: (host: Spawned, dataDir: string) => Promise<void>): Promise<void> {
  const dir = tempDir();
  try {
    const host = await spawnUntilReady(['--import', 'tsx', `tests/crash/${child}.ts`, dir.path], { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ANTHROPIC_BASE_URL: anthropic.url });
    try {
      await body(host, dir.path);
    } finally {
      // A test that failed before its kill leaves no host behind.
      if (host.child.exitCode === null && host.child.signalCode === null) {
        host.child.kill('SIGKILL');
        await host.exited;
      }
    }
  } finally {
    dir.cleanup();
  }
}

/** Kills the host with SIGKILL, no chance to clean up, and waits until it is gone. */
export async function killHard(host: Spawned): Promise<void> {
  host.child.kill('SIGKILL');
  assert.equal((await host.exited).signal, 'SIGKILL');
}

/** Opens the data folder a killed host left, as the next start would, hands the core to `check` and closes it. */
export async function restartOn(dataDir: string, check: (core: Core) => void | Promise<void>): Promise<void> {
  const core = createCore({ dataDir, logger: silentLogger, secrets: createMemorySecretStore(), env: {} });
  try {
    await check(core);
  } finally {
    await core.close();
  }
}
