import { AppError, McpServerInputSchema, describeZodError, type McpServerInput, type McpStoredConfig } from '../contract/index.js';

/** The secret store's name for one of a server's secret values. */
export function secretName(server: string, kind: 'env' | 'header', key: string): string {
  return `mcp:${server}:${kind}:${key}`;
}

// Variable names that say they hold a credential, as a word of the name (GITHUB_TOKEN, API_KEY, DB_PASSWORD).
const SECRET_WORDS = new Set(['KEY', 'APIKEY', 'TOKEN', 'SECRET', 'PASSWORD', 'PASSWD', 'PASS', 'PWD', 'AUTH', 'CREDENTIAL', 'CREDENTIALS', 'COOKIE', 'SESSION', 'PRIVATE', 'BEARER', 'PAT', 'SIGNATURE']);

/**
 * Whether an environment value is a secret: its name says so (a word such as TOKEN, KEY, PASSWORD),
 * or the value looks like a key (a long run of letters and digits with no spaces, slashes at the
 * start or colons, as tokens are and paths, URLs and flags are not).
 */
export function isSecretEnv(key: string, value: string): boolean {
  const words = key.toUpperCase().split(/[^A-Z0-9]+/).filter(Boolean);
  if (words.some((w) => SECRET_WORDS.has(w) || w.endsWith('TOKEN') || w.endsWith('APIKEY') || w.endsWith('SECRET'))) return true;
  return /^[A-Za-z0-9_\-.+=]{20,}$/.test(value) && /[A-Za-z]/.test(value) && /[0-9]/.test(value) && !value.startsWith('-');
}

/** A server configuration split into what the database keeps and what the secret store keeps. */
export interface SplitConfig {
  config: McpStoredConfig;
  /** Secret values by their secret-store name; a null value keeps the stored one. */
  secrets: Map<string, string | null>;
}

/** Turns what a person typed (validated by the contract) into a stored configuration and its secrets. */
export function splitConfig(name: string, input: McpServerInput, previous: McpStoredConfig | null): SplitConfig {
  const secrets = new Map<string, string | null>();
  const env: Record<string, string> = {};
  const secretEnv: string[] = [];
  for (const [key, value] of Object.entries(input.env ?? {})) {
    if (value === null) {
      // Keep what is stored now, wherever it is kept.
      if (previous?.secretEnv.includes(key)) {
        secretEnv.push(key);
        secrets.set(secretName(name, 'env', key), null);
      } else if (previous && key in previous.env) env[key] = previous.env[key];
      else throw new AppError('invalid_input', `env ${key} has no stored value to keep; give it a value`);
      continue;
    }
    if (isSecretEnv(key, value)) {
      secretEnv.push(key);
      secrets.set(secretName(name, 'env', key), value);
    } else env[key] = value;
  }
  const headers: string[] = [];
  for (const [header, value] of Object.entries(input.headers ?? {})) {
    if (value === null && !previous?.headers.includes(header)) throw new AppError('invalid_input', `header ${header} has no stored value to keep; give it a value`);
    headers.push(header);
    secrets.set(secretName(name, 'header', header), value);
  }
  return {
    config: {
      transport: input.url ? 'http' : 'stdio',
      command: input.command ?? null,
      args: input.args ?? [],
      cwd: input.cwd ?? null,
      env,
      secretEnv,
      url: input.url ?? null,
      headers,
      enabled: input.enabled ?? previous?.enabled ?? true,
    },
    secrets,
  };
}

/** Every secret-store name a configuration uses. */
export function secretNamesOf(name: string, config: McpStoredConfig): string[] {
  return [...config.secretEnv.map((k) => secretName(name, 'env', k)), ...config.headers.map((h) => secretName(name, 'header', h))];
}

/** A valid server name made from any name (spaces and dots become `-`, other characters go). */
export function toServerName(raw: string): string {
  const cleaned = raw
    .trim()
    .replace(/[\s.:/\\@]+/g, '-')
    .replace(/[^A-Za-z0-9_-]/g, '')
    .replace(/-{2,}/g, '-')
    .replace(/_{2,}/g, '_')
    .replace(/^[-_]+/, '')
    .slice(0, 32)
    .replace(/[-_]+$/, '');
  return cleaned || 'server';
}

/** One entry of an imported file, ready to add, or why it cannot be. */
export type ImportEntry = { name: string; originalName: string; input: McpServerInput } | { name: string; originalName: string; error: string };

/**
 * Reads Claude Desktop's configuration (`{"mcpServers": {"name": {command, args, env}}}`), the bare
 * map, or the same shape other clients write (`url` with `headers`, `type` of `stdio`, `http` or
 * `streamable-http`). Fields this app does not use (`disabled`, `alwaysAllow`, ...) are ignored.
 */
export function parseImport(json: string): ImportEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (err) {
    throw new AppError('invalid_input', `the configuration is not valid JSON: ${(err as Error).message}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new AppError('invalid_input', 'the configuration is a JSON object with an "mcpServers" object');
  const root = parsed as Record<string, unknown>;
  const map = 'mcpServers' in root ? root.mcpServers : 'servers' in root && !('command' in root) ? root.servers : root;
  if (!map || typeof map !== 'object' || Array.isArray(map)) throw new AppError('invalid_input', '"mcpServers" must be an object of servers by name');
  const entries: ImportEntry[] = [];
  const used = new Set<string>();
  for (const [originalName, raw] of Object.entries(map as Record<string, unknown>)) {
    let name = toServerName(originalName);
    for (let n = 2; used.has(name); n++) name = `${toServerName(originalName).slice(0, 29)}-${n}`;
    used.add(name);
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      entries.push({ name, originalName, error: 'the entry is not an object' });
      continue;
    }
    const e = raw as Record<string, unknown>;
    const type = typeof e.type === 'string' ? e.type.toLowerCase() : null;
    if (type === 'sse' || (typeof e.url === 'string' && type === null && /\/sse\/?$/.test(e.url))) {
      entries.push({ name, originalName, error: 'SSE servers (the older HTTP transport) are not supported; use its streamable HTTP address' });
      continue;
    }
    if (type && !['stdio', 'http', 'streamable-http', 'streamablehttp'].includes(type)) {
      entries.push({ name, originalName, error: `transport "${e.type}" is not supported (stdio or streamable HTTP)` });
      continue;
    }
    const candidate = {
      ...(e.command !== undefined ? { command: e.command } : {}),
      ...(e.args !== undefined ? { args: e.args } : {}),
      ...(e.env !== undefined ? { env: e.env } : {}),
      ...(e.cwd !== undefined ? { cwd: e.cwd } : {}),
      ...(e.url !== undefined ? { url: e.url } : {}),
      ...(e.headers !== undefined ? { headers: e.headers } : {}),
      ...(e.disabled === true ? { enabled: false } : {}),
    };
    const checked = McpServerInputSchema.safeParse(candidate);
    if (!checked.success) entries.push({ name, originalName, error: describeZodError(checked.error) });
    else entries.push({ name, originalName, input: checked.data });
  }
  return entries;
}

/** The configuration as a person would write it again (secret values left out), for editing. */
export function describeConfig(config: McpStoredConfig): string {
  return config.transport === 'http' ? config.url ?? '' : [config.command ?? '', ...config.args].join(' ');
}
