// Builds the test files for a run of scripts/run-tests.mjs: each `*.test.ts` becomes one JavaScript
// module under dist/test-build/<run>/ (esbuild, the same compiler tsx uses), with the code the files
// share (core, tests/support) in common chunks. A test process then loads plain JavaScript: compiling
// the TypeScript of core through a loader in every test file's process cost about two seconds of CPU
// each, a third of the suite's.
//
// It is built from the checkout's sources at the start of every run, so a run always tests today's
// code. Packages stay in node_modules (loaded as installed, as the app loads them). Each module keeps
// its source file's `import.meta.url` (and `dirname`, `filename`), so fixtures and child processes
// are found where they were; source maps (run with --enable-source-maps) put stack traces back on the
// TypeScript lines; and names are kept, as tsx keeps them (`keepNames`).
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const TEST_BUILD_ROOT = join(root, 'dist', 'test-build');

/**
 * Builds `files` (paths relative to the repository) into a folder of their own for this run and
 * resolves with it and each file's built module, in the same order.
 */
export async function buildTests(files) {
  const { build } = await import('esbuild');
  removeAbandonedBuilds();
  const outdir = join(TEST_BUILD_ROOT, String(process.pid));
  rmSync(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: root,
    entryPoints: files,
    outdir,
    outbase: root,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    keepNames: true,
    sourcemap: 'linked',
    sourcesContent: false,
    logLevel: 'warning',
    chunkNames: 'chunks/[name]-[hash]',
    plugins: [sourceLocation()],
  });
  return { outdir, built: files.map((file) => join(outdir, file.replace(/\.tsx?$/, '.js'))) };
}

/** Builds left by runs that were killed before they could remove their own. */
function removeAbandonedBuilds() {
  if (!existsSync(TEST_BUILD_ROOT)) return;
  for (const name of readdirSync(TEST_BUILD_ROOT)) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid === process.pid || alive(pid)) continue;
    rmSync(join(TEST_BUILD_ROOT, name), { recursive: true, force: true });
  }
}

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** `import.meta.url`, `.dirname` and `.filename` of the repository's modules stay their source file's. */
function sourceLocation() {
  return {
    name: 'source-location',
    setup(b) {
      // The repository's JavaScript modules (scripts/*.mjs) are loaded from where they are, as they are.
      b.onResolve({ filter: /\.m?js$/ }, (args) => {
        if (!args.path.startsWith('.') || /[\\/]node_modules[\\/]/.test(args.importer)) return undefined;
        const file = join(args.resolveDir, args.path);
        if (!existsSync(file)) return undefined;
        return { path: pathToFileURL(file).href, external: true };
      });
      b.onLoad({ filter: /\.tsx?$/ }, (args) => {
        if (/[\\/]node_modules[\\/]/.test(args.path)) return undefined;
        const source = readFileSync(args.path, 'utf8');
        const loader = extname(args.path) === '.tsx' ? 'tsx' : 'ts';
        if (!source.includes('import.meta.')) return { contents: source, loader };
        const contents = source
          .replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href))
          .replaceAll('import.meta.dirname', JSON.stringify(dirname(args.path)))
          .replaceAll('import.meta.filename', JSON.stringify(args.path));
        return { contents, loader };
      });
    },
  };
}
