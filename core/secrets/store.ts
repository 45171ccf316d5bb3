import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';

/** Where API keys live. Never the database, the event log or the logs. */
export interface SecretStore {
  get(name: string): string | null;
  set(name: string, value: string | null): void;
  /** Every stored value, for the redaction pass. */
  values(): string[];
  /** How it protects what it holds, for the health check. */
  readonly description: string;
  /** Set when the store protects less than it should (the health check shows it as a warning). */
  readonly warning?: string;
}

/**
 * Secrets in a file readable only by this user (0600), for the headless host. The desktop app uses
 * the same shape, encrypted with Electron's safeStorage.
 */
export function createFileSecretStore(file: string, codec: { encode(s: string): string; decode(s: string): string } = plainCodec): SecretStore {
  let cache: Record<string, string> | null = null;
  const load = (): Record<string, string> => {
    if (cache) return cache;
    if (!existsSync(file)) return (cache = {});
    try {
      const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
      cache = Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, codec.decode(v)]));
    } catch {
      cache = {};
    }
    return cache;
  };
  return {
    description: codec === plainCodec ? `file ${file} (mode 0600)` : `file ${file} (encrypted)`,
    get: (name) => load()[name] ?? null,
    set(name, value) {
      const next = { ...load() };
      if (value === null) delete next[name];
      else next[name] = value;
      const tmp = `${file}.tmp`;
      writeFileSync(tmp, JSON.stringify(Object.fromEntries(Object.entries(next).map(([k, v]) => [k, codec.encode(v)]))), { mode: 0o600 });
      chmodSync(tmp, 0o600);
      renameSync(tmp, file);
      cache = next;
    },
    values: () => Object.values(load()),
  };
}

const plainCodec = { encode: (s: string) => s, decode: (s: string) => s };

/** Secrets held in memory only (tests, and a read-only data folder). */
export function createMemorySecretStore(initial: Record<string, string> = {}): SecretStore {
  const map = new Map(Object.entries(initial));
  return {
    description: 'memory only',
    get: (name) => map.get(name) ?? null,
    set: (name, value) => (value === null ? map.delete(name) : map.set(name, value)) && undefined,
    values: () => [...map.values()],
  };
}
