import type { HealthCheck } from '../contract/index.js';
import type { DataPaths } from '../datadir/index.js';
import type { DatabaseInfo, WritableDB } from '../db/index.js';
import { providerHealthChecks, type ProviderRegistry } from '../providers/index.js';
import type { SecretStore } from '../secrets/index.js';
import type { SettingsService } from '../settings/index.js';
import { damagedDatabaseAdvice, diskSpaceCheck, firstProblem } from './folder-checks.js';

export interface DoctorDeps {
  db: WritableDB;
  dbInfo: DatabaseInfo;
  paths: DataPaths;
  secrets: SecretStore;
  settings: SettingsService;
  providers: ProviderRegistry;
  /** Every model the routes name, so a provider only a route uses is checked as used. */
  usedModels: () => string[];
  redact: (text: string) => string;
  /** Checks other capabilities contribute (MCP servers, skills); each warns, never throws. */
  moreChecks?: (() => HealthCheck[])[];
}

/** The health checks: the database and its extensions, free space, the secret store, each provider (probed when asked). */
export async function runDoctor(deps: DoctorDeps, probeProviders: boolean): Promise<HealthCheck[]> {
  const checks: HealthCheck[] = [];
  const integrity = quickCheck(deps.db);
  const about = `schema ${deps.dbInfo.schemaVersion}, journal ${deps.dbInfo.journalMode}, SQLite ${deps.dbInfo.sqliteVersion}`;
  checks.push(
    integrity === 'ok'
      ? { name: 'database', status: 'ok', detail: `${deps.paths.database}: ok, ${about}` }
      : { name: 'database', status: 'fail', detail: `${deps.paths.database} is damaged (${firstProblem(integrity)}), ${about}: ${damagedDatabaseAdvice()}` },
  );
  checks.push(diskSpaceCheck(deps.paths.dir));
  checks.push({ name: 'sqlite-vec', status: 'ok', detail: `loaded, ${deps.dbInfo.vecVersion}` });
  checks.push({ name: 'fts5', status: deps.dbInfo.fts5 ? 'ok' : 'fail', detail: deps.dbInfo.fts5 ? 'available' : 'missing: memory search cannot work' });
  checks.push({ name: 'secrets', status: deps.secrets.warning ? 'warn' : 'ok', detail: deps.secrets.description });
  const settings = deps.settings.get();
  checks.push(...(await providerHealthChecks({ settings, usedModels: [settings.models.chat, ...deps.usedModels()], providers: deps.providers, probe: probeProviders, redact: deps.redact })));
  for (const more of deps.moreChecks ?? []) {
    try {
      checks.push(...more().map((c) => ({ ...c, detail: deps.redact(c.detail) })));
    } catch (err) {
      checks.push({ name: 'health check', status: 'warn', detail: deps.redact(`a check failed to run: ${(err as Error).message}`) });
    }
  }
  return checks;
}

function quickCheck(db: WritableDB): string {
  try {
    return String(db.pragma('quick_check', { simple: true }));
  } catch (err) {
    return `${(err as { code?: string }).code ?? 'error'}: ${(err as Error).message}`;
  }
}
