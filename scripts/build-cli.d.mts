/** Builds dist/cli/; resolves to how many source files went in. */
export function buildCli(): Promise<number>;
/** Why dist/cli/ needs a (re)build, or null when it is current. */
export function whyRebuild(): string | null;
export const CLI_DIR: string;
export const MANIFEST: string;
/** Bundles one entry point (a path from the repository root) into one file under dist/ (an absolute path). */
export function buildEntry(entry: string, outfile: string): Promise<void>;
