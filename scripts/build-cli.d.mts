/** Builds dist/cli/; resolves to how many source files went in. */
export function buildCli(): Promise<number>;
/** Why dist/cli/ needs a (re)build (a source, the build script or the lock whose content changed), or null when it is current; `dir` is the repository root. */
export function whyRebuild(dir?: string): string | null;
/** The sha256 of each of `files` (paths from `dir`) that exists. */
export function hashFiles(dir: string, files: string[]): Record<string, string>;
export const CLI_DIR: string;
export const MANIFEST: string;
/** Bundles one entry point (a path from the repository root) into one file under dist/ (an absolute path). */
export function buildEntry(entry: string, outfile: string): Promise<void>;
