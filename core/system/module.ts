import { readFileSync } from 'node:fs';
import { backupDatabase } from '../datadir/index.js';
import type { EventLog } from '../events/index.js';
import type { CapabilityModule } from '../modules/index.js';
import type { Clock } from '../util/index.js';
import { runDoctor, type DoctorDeps } from './doctor.js';

/** The package version, found from source (`core/`) or from the compiled tree (`dist/core/`). */
export const APP_VERSION: string = readVersion();

export interface SystemModuleDeps extends DoctorDeps {
  log: EventLog;
  clock: Clock;
  startedAt: number;
}

/** The app itself: health checks, version and data folder, backups, and the raw event log. */
export function createSystemModule(deps: SystemModuleDeps): CapabilityModule {
  const { log, clock, paths } = deps;
  return {
    name: 'system',
    handlers: {
      'system.doctor': async ({ probeProviders }) => {
        const checks = await runDoctor(deps, probeProviders);
        return { ok: checks.every((c) => c.status !== 'fail'), checks };
      },
      'system.ping': () => ({ now: clock.now() }),
      'system.info': () => ({ version: APP_VERSION, dataDir: paths.dir, pid: process.pid, startedAt: deps.startedAt, head: log.head() }),
      'system.backup': ({ path }) => backupDatabase(deps.db, paths, path),
      'events.since': ({ fromSeq, limit }) => ({ events: log.since(fromSeq, limit), head: log.head() }),
    },
  };
}

function readVersion(): string {
  for (const relative of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as { name?: string; version: string };
      if (pkg.name === 'agent-blob') return pkg.version;
    } catch {
      // try the next place
    }
  }
  return '0.0.0';
}
