/** Where each run builds its test files (dist/test-build/<pid>/). */
export const TEST_BUILD_ROOT: string;
/** Builds `files` (paths from the repository root) into a folder of this process's own; resolves with it and each file's built module, in the same order. */
export function buildTests(files: string[]): Promise<{ outdir: string; built: string[] }>;
