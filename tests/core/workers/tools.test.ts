import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkerRole } from '../../../core/contract/index.js';
import { openDatabase } from '../../../core/db/index.js';
import { EventLog } from '../../../core/events/index.js';
import { createSettingsProjector } from '../../../core/settings/projector.js';
import { ManualClock } from '../../../core/util/clock.js';
import { DEFAULT_ROLES, WorkerSettingsService } from '../../../core/workers/roles.js';
import type { WorkerPool } from '../../../core/workers/pool.js';
import type { WorkerQueries } from '../../../core/workers/store.js';
import { workerTools } from '../../../core/workers/tools.js';

function setup() {
  const { db } = openDatabase({ file: ':memory:' });
  const log = new EventLog(db, new ManualClock());
  log.addProjector(createSettingsProjector(db));
  const settings = new WorkerSettingsService(db, log);
  // Reading a description uses neither the pool nor the registry.
  const spawn = workerTools({ pool: {} as WorkerPool, queries: {} as WorkerQueries, settings, now: () => 0 }).find((t) => t.name === 'spawn_worker')!;
  return { settings, spawn };
}

/** Counts the reads of each role's fields, to see whether reading the description goes over the roles again. */
function countingRoles(settings: WorkerSettingsService): { reads: () => number } {
  let reads = 0;
  const real = settings.roles.bind(settings);
  let seen: readonly WorkerRole[] | null = null;
  let counted: readonly WorkerRole[] = [];
  settings.roles = () => {
    const roles = real();
    if (roles !== seen) {
      seen = roles;
      counted = roles.map((role) => new Proxy(role, { get: (target, key, receiver) => (reads++, Reflect.get(target, key, receiver)) }));
    }
    return counted;
  };
  return { reads: () => reads };
}

describe('the spawn_worker tool', () => {
  it('names every configured role in its description, and the roles as they are after a change', () => {
    const { settings, spawn } = setup();
    for (const role of DEFAULT_ROLES) assert.ok(spawn.description.includes(`${role.name} (${role.description})`), role.name);
    settings.saveRole({ ...DEFAULT_ROLES[0], name: 'translator', description: 'Translates texts between languages.' });
    assert.match(spawn.description, /translator \(Translates texts between languages\.\)/);
    settings.removeRole('researcher');
    assert.doesNotMatch(spawn.description, /researcher \(/);
    for (const name of ['coder', 'writer', 'translator']) assert.match(spawn.description, new RegExp(`${name} \\(`));
    settings.removeRole('coder');
    settings.removeRole('writer');
    settings.removeRole('translator');
    assert.match(spawn.description, /Roles: none configured\./);
  });

  it('builds its description once per change of the roles, not at every read (every model turn of every run offered it)', () => {
    const { settings, spawn } = setup();
    const counter = countingRoles(settings);
    const first = spawn.description;
    const once = counter.reads();
    assert.ok(once > 0, 'the first read goes over the roles');
    for (let turn = 0; turn < 1_000; turn++) assert.equal(spawn.description, first);
    assert.equal(counter.reads(), once, 'reads without a change go over no role again');
    settings.saveRole({ ...DEFAULT_ROLES[1], description: 'Changes code and checks it.' });
    assert.match(spawn.description, /coder \(Changes code and checks it\.\)/);
    const twice = counter.reads();
    assert.ok(twice > once, 'a change of the roles builds it again');
    for (let turn = 0; turn < 1_000; turn++) assert.ok(spawn.description.includes('coder (Changes code and checks it.)'));
    assert.equal(counter.reads(), twice);
  });
});
