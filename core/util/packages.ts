import { createRequire } from 'node:module';
import { AppError } from '../contract/index.js';

/** Loads a package by name, as `require` does; throws when it cannot. Injected by tests. */
export type PackageLoader = (name: string) => unknown;

/**
 * Packages loaded on first use rather than at every start (cronstrue, ajv) come through here:
 * `require` caches what it loaded, and a failed load is not kept, so the next use tries again.
 */
export const requirePackage: PackageLoader = createRequire(import.meta.url);

/**
 * A package the app needs could not be loaded: the installation is broken (a file missing or
 * damaged), not the input. Its own error, so it is never reported as a bad cron expression or a bad
 * schema.
 */
export class PackageLoadError extends AppError {
  readonly packageName: string;
  constructor(name: string, cause: unknown) {
    // `ajv/dist/2020.js` is the ajv package; `@scope/name/x` is `@scope/name`.
    const packageName = name.split('/').slice(0, name.startsWith('@') ? 2 : 1).join('/');
    const reason = (cause instanceof Error ? cause.message : String(cause)).split('\n')[0].slice(0, 300);
    super('unavailable', `the ${packageName} package could not be loaded (${reason}); reinstall the app (in a checkout: npm install)`);
    this.packageName = packageName;
  }
}

/** `load(name)`, with a failure turned into a `PackageLoadError`. */
export function loadPackage<T>(name: string, load: PackageLoader = requirePackage): T {
  try {
    return load(name) as T;
  } catch (err) {
    throw new PackageLoadError(name, err);
  }
}

export function isPackageLoadError(err: unknown): err is PackageLoadError {
  return err instanceof PackageLoadError;
}
