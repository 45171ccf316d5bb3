import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCore, type Core, type CoreOptions } from '../../core/app.js';
import type { AppEvent, Client } from '../../core/contract/index.js';
import { connectInProcess } from '../../core/gateway/inprocess.js';
import { createMemorySecretStore } from '../../core/secrets/index.js';
import { silentLogger } from '../../core/util/logger.js';

/** A fresh temporary folder, removed by `cleanup`. */
export function tempDir(prefix = 'agent-blob-test-'): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}

export interface TestCore {
  core: Core;
  client: Client;
  dataDir: string;
  /** Every event delivered to `client` since it subscribed from 0. */
  events: AppEvent[];
  close(options?: { keepData?: boolean }): Promise<void>;
}

/**
 * A core on a temporary data folder with an in-process client subscribed from seq 0. `env` points
 * providers at loopback servers (`ANTHROPIC_BASE_URL`, `OLLAMA_HOST`); no real network is used.
 */
export async function startTestCore(options: Partial<CoreOptions> & { dataDir?: string } = {}): Promise<TestCore> {
  const dir = options.dataDir ? null : tempDir();
  const dataDir = options.dataDir ?? dir!.path;
  const core = createCore({
    logger: silentLogger,
    secrets: createMemorySecretStore(),
    env: { ANTHROPIC_API_KEY: 'sk-ant-test-key-000000', ...options.env },
    deltaWindowMs: 16,
    timeZone: 'UTC',
    // The app's bundled skills only where a test asks for them, so prompts stay what each test scripted.
    bundledSkillsDir: null,
    ...options,
    dataDir,
  });
  const client = connectInProcess(core.gateway);
  const events: AppEvent[] = [];
  client.subscribe(0, (event) => events.push(event));
  await client.call('system.ping', {});
  return {
    core,
    client,
    dataDir,
    events,
    async close(closeOptions = {}) {
      client.close();
      await core.close();
      if (!closeOptions.keepData) dir?.cleanup();
    },
  };
}
