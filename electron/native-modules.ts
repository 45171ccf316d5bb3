import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';
import Module from 'node:module';

/**
 * Inside a packaged app, native files live unpacked beside `app.asar` (electron-builder's
 * `asarUnpack`). Electron redirects `require` of a `.node` file there itself, but SQLite's
 * `load_extension` calls the OS loader, which cannot read the archive.
 */
export function unpackedPath(path: string): string {
  return path.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

/** Makes every `db.loadExtension(path)` (sqlite-vec) load from the unpacked folder. */
export function loadExtensionsFromUnpackedAsar(): void {
  const proto = Database.prototype as unknown as { loadExtension(path: string, entryPoint?: string): unknown };
  const original = proto.loadExtension;
  proto.loadExtension = function (this: unknown, path: string, entryPoint?: string) {
    const target = unpackedPath(path);
    return entryPoint === undefined ? original.call(this, target) : original.call(this, target, entryPoint);
  };
}

type ResolveFilename = (request: string, ...rest: unknown[]) => string;

/**
 * In development `node_modules/better-sqlite3` is built for Node, which Electron cannot load
 * (another ABI). `bin/start.js` fetches a build for Electron into a cache and names it in
 * `AGENT_BLOB_SQLITE_ADDON`; this sends the addon's `require` there, so the Node build stays in
 * place for the CLI and the tests. A packaged app never needs this: electron-builder rebuilds.
 */
export function useSqliteAddon(addonFile: string | undefined): boolean {
  if (!addonFile || !existsSync(addonFile)) return false;
  const loader = Module as unknown as { _resolveFilename: ResolveFilename };
  const original = loader._resolveFilename;
  loader._resolveFilename = function (this: unknown, request: string, ...rest: unknown[]) {
    if (/[\\/]better-sqlite3[\\/].*[\\/]better_sqlite3(\.node)?$/.test(request)) return addonFile;
    return original.call(this, request, ...rest);
  };
  return true;
}

/**
 * Development-only switches from the environment, honoured under `npm start` and ignored in an
 * installed app: there any local process could otherwise make the app load native code of its
 * choosing (and with it reach the keychain-protected keys). Returns the ones applied.
 */
export function applyDevelopmentOverrides(packaged: boolean, env: NodeJS.ProcessEnv): string[] {
  if (packaged) return [];
  return useSqliteAddon(env.AGENT_BLOB_SQLITE_ADDON) ? ['AGENT_BLOB_SQLITE_ADDON'] : [];
}
