import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createCore } from '../../../core/app.js';
import { COMMAND_NAMES } from '../../../core/contract/index.js';
import { openDataFolder, readLock } from '../../../core/datadir/index.js';
import { EventLog } from '../../../core/events/index.js';
import { Gateway } from '../../../core/gateway/index.js';
import { ModuleHost, type CapabilityModule } from '../../../core/modules/index.js';
import { createMemorySecretStore } from '../../../core/secrets/index.js';
import { ToolRegistry, currentTimeTool } from '../../../core/tools/index.js';
import { ManualClock, silentLogger, type Clock } from '../../../core/util/index.js';
import { tempDir } from '../../support/index.js';

const CORE_COMMANDS = COMMAND_NAMES.filter((n) => !['events.subscribe', 'events.unsubscribe', 'client.hello'].includes(n));

function setup(dir: string) {
  const folder = openDataFolder(dir, 'cli', 0);
  const log = new EventLog(folder.db, new ManualClock());
  const deps = { log, gateway: new Gateway(log, silentLogger), tools: new ToolRegistry(), logger: silentLogger };
  return { folder, deps, host: new ModuleHost(() => folder.release()) };
}

describe('capability modules', () => {
  it('a module that throws during start stops the modules started before it, in reverse, and releases the database and the lock', () => {
    const dir = tempDir();
    try {
      const { folder, deps, host } = setup(dir.path);
      const trail: string[] = [];
      const module = (name: string, extra: Partial<CapabilityModule> = {}): CapabilityModule => ({
        name,
        start: () => void trail.push(`start ${name}`),
        stop: () => void trail.push(`stop ${name}`),
        ...extra,
      });
      const answerEverything = Object.fromEntries(CORE_COMMANDS.map((name) => [name, () => ({})]));
      host.add(module('first', { handlers: answerEverything }));
      host.add(module('second', { tools: [currentTimeTool] }));
      host.add(module('broken', { start: () => { trail.push('start broken'); throw new Error('the disk is on fire'); } }));
      host.add(module('never'));
      assert.equal(readLock(folder.paths.lock)?.pid, process.pid);
      assert.throws(() => host.start(deps), /the disk is on fire/);
      assert.deepEqual(trail, ['start first', 'start second', 'start broken', 'stop broken', 'stop second', 'stop first']);
      assert.equal(deps.tools.get('current_time'), null, 'the tools of stopped modules left the registry');
      assert.equal(folder.db.open, false, 'the database is closed');
      assert.equal(readLock(folder.paths.lock), null, 'the lock file is gone');
    } finally {
      dir.cleanup();
    }
  });

  it('a command no module answers stops the start before any module starts', () => {
    const dir = tempDir();
    try {
      const { folder, deps, host } = setup(dir.path);
      let started = false;
      host.add({ name: 'partial', handlers: { 'system.ping': () => ({ now: 0 }) }, start: () => void (started = true) });
      assert.throws(() => host.start(deps), /no module answers .*chat\.send/);
      assert.equal(started, false);
      assert.equal(folder.db.open, false);
      assert.equal(readLock(folder.paths.lock), null);
    } finally {
      dir.cleanup();
    }
  });

  it('createCore that fails half-way through starting leaves the data folder unlocked and its database closed', async () => {
    const dir = tempDir();
    try {
      // The memory module schedules consolidation at start; a clock that cannot set timers breaks it
      // after the runs, timeline and permissions modules have started.
      const broken: Clock = { now: () => Date.UTC(2026, 0, 1), setTimeout: () => { throw new Error('no timers on this clock'); }, clearTimeout: () => {} };
      assert.throws(() => createCore({ dataDir: dir.path, clock: broken, logger: silentLogger, secrets: createMemorySecretStore(), env: {} }), /no timers on this clock/);
      assert.equal(readLock(`${dir.path}/agent-blob.lock`), null, 'no lock is left behind');
      // Nobody holds the database: another connection can take it exclusively.
      const other = new Database(`${dir.path}/agent-blob.sqlite`);
      other.exec('BEGIN EXCLUSIVE; COMMIT;');
      other.close();
      const core = createCore({ dataDir: dir.path, logger: silentLogger, secrets: createMemorySecretStore(), env: {} });
      await core.close();
    } finally {
      dir.cleanup();
    }
  });

  it('every command of the contract is answered by exactly one module', async () => {
    const dir = tempDir();
    try {
      const core = createCore({ dataDir: dir.path, logger: silentLogger, secrets: createMemorySecretStore(), env: {} });
      try {
        for (const name of CORE_COMMANDS) assert.ok(core.gateway.handles(name), `${name} has no handler`);
        assert.throws(() => core.gateway.register('late', { 'system.ping': () => ({ now: 0 }) }), /late and system both answer system\.ping/);
      } finally {
        await core.close();
      }
    } finally {
      dir.cleanup();
    }
  });
});
