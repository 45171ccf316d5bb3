// The electron-builder configuration `npm run package` uses: electron-builder.yml, with paths made
// absolute (electron-builder runs in the staging folder), the update feed from the environment and
// the hooks that check each packed app and record which ones were signed.
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { AfterPackContext, Configuration } from 'electron-builder';
import { parse } from 'yaml';
import { checkPackedApp } from './native-check.js';

/**
 * Where installed apps look for updates, from the environment at packaging time:
 * `AGENT_BLOB_UPDATE_URL` (a folder on any web server holding what `release/` contains) or
 * `AGENT_BLOB_UPDATE_GITHUB` (`owner/repo`, GitHub releases). Null: the build does not update itself.
 */
/** An electron-builder `publish` entry: a generic web folder, or GitHub releases. */
export type UpdateFeed = { provider: 'generic'; url: string } | { provider: 'github'; owner: string; repo: string };

export function updateFeed(env: Record<string, string | undefined>): UpdateFeed | null {
  const url = env.AGENT_BLOB_UPDATE_URL?.trim();
  const github = env.AGENT_BLOB_UPDATE_GITHUB?.trim();
  if (url && github) throw new Error('set AGENT_BLOB_UPDATE_URL or AGENT_BLOB_UPDATE_GITHUB, not both');
  if (url) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new Error(`AGENT_BLOB_UPDATE_URL is not a URL: ${url}`);
    }
    // electron-updater on macOS and Linux checks no signature of its own: the feed must be HTTPS.
    if (parsed.protocol !== 'https:') throw new Error(`AGENT_BLOB_UPDATE_URL must be an https:// address, not ${url}`);
    return { provider: 'generic', url: url.endsWith('/') ? url : `${url}/` };
  }
  if (github) {
    const match = /^([\w.-]+)\/([\w.-]+)$/.exec(github);
    if (!match) throw new Error(`AGENT_BLOB_UPDATE_GITHUB is owner/repo, not ${github}`);
    return { provider: 'github', owner: match[1], repo: match[2] };
  }
  return null;
}

/**
 * The configuration for a build from `root`, writing installers to `outputDir`. `hooks` may add
 * to what the afterPack / afterSign hooks do (the packaging script records signing with them).
 */
export interface PackagingHooks {
  afterPack?(context: AfterPackContext): void | Promise<void>;
  afterSign?(context: AfterPackContext): void | Promise<void>;
}

type Writable<T> = { -readonly [K in keyof T]: T[K] };
/** electron-builder's Configuration with its fields writable (it is built here, then handed over). */
export type PackagingConfig = Writable<Configuration> & Record<string, unknown>;

export function packagingConfig({
  root,
  outputDir = join(root, 'release'),
  env = process.env,
  hooks = {},
}: {
  root: string;
  outputDir?: string;
  env?: Record<string, string | undefined>;
  hooks?: PackagingHooks;
}): PackagingConfig {
  const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as PackagingConfig & {
    linux?: { icon?: string };
    mac?: { icon?: string; entitlements?: string; entitlementsInherit?: string };
    win?: { icon?: string };
  };
  const abs = (path: string) => (isAbsolute(path) ? path : join(root, path));
  config.directories = { ...config.directories, output: outputDir, buildResources: abs(config.directories?.buildResources ?? 'resources') };
  for (const section of [config.linux, config.mac, config.win]) {
    if (section?.icon) section.icon = abs(section.icon);
  }
  if (config.mac?.entitlements) config.mac.entitlements = abs(config.mac.entitlements);
  if (config.mac?.entitlementsInherit) config.mac.entitlementsInherit = abs(config.mac.entitlementsInherit);
  // Explicitly null without a feed: electron-builder would otherwise guess one from the git remote.
  config.publish = updateFeed(env) as Configuration['publish'];
  config.afterPack = async (context: AfterPackContext) => {
    checkPackedApp(context);
    await hooks.afterPack?.(context);
  };
  const afterSign = hooks.afterSign;
  if (afterSign) config.afterSign = async (context: AfterPackContext) => afterSign(context);
  return config;
}
