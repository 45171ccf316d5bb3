// The other commit's side of `npm run bench:compare`: its files in a temporary folder, with a
// node_modules of its own that shares this checkout's files, built as its own checkout would be.
import { spawn } from 'node:child_process';
import { copyFileSync, constants, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, realpathSync, rmSync, symlinkSync, linkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Copies the tree at `from` to `to` (which must not exist) as hard links: directories are made anew,
 * files share their content with `from` (a copy when the two folders are on different file systems),
 * symbolic links are made again with the same target. Files under a folder named in `copyUnder`
 * (or every file, with 'all') are copied rather than linked, so a write into such a file on one side never shows on the other.
 * Resolves to how many files were linked and copied.
 */
export function linkTree(from: string, to: string, copyUnder: string[] | 'all' = []): { linked: number; copied: number } {
  const counts = { linked: 0, copied: 0 };
  const walk = (src: string, dest: string, copy: boolean) => {
    mkdirSync(dest);
    for (const entry of readdirSync(src, { withFileTypes: true })) {
      const s = join(src, entry.name);
      const d = join(dest, entry.name);
      if (entry.isDirectory()) walk(s, d, copy || (copyUnder !== 'all' && copyUnder.includes(entry.name)));
      else if (entry.isSymbolicLink()) symlinkSync(readlinkSync(s), d);
      else if (copy) {
        copyFileSync(s, d, constants.COPYFILE_FICLONE);
        counts.copied++;
      } else {
        try {
          linkSync(s, d);
          counts.linked++;
        } catch (err) {
          if (!['EXDEV', 'EPERM', 'EMLINK'].includes((err as NodeJS.ErrnoException).code ?? '')) throw err;
          copyFileSync(s, d, constants.COPYFILE_FICLONE);
          counts.copied++;
        }
      }
    }
  };
  walk(from, to, copyUnder === 'all');
  return counts;
}

/** Runs node with `args` in `cwd`; resolves to null when it exits 0, else to the end of its output. */
export function runNode(args: string[], cwd: string): Promise<string | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (out += d));
    child.on('error', (err) => resolve(err.message));
    child.on('close', (code, signal) => resolve(code === 0 ? null : `exit ${signal ?? code}: ${out.trim().split('\n').slice(-5).join(' ').slice(-600)}`));
  });
}

/** Whether the suite `name` in checkout `dir` runs the built UI (dist/renderer) in a browser. */
export function suiteNeedsRenderer(dir: string, name: string): boolean {
  try {
    const source = readFileSync(join(dir, 'bench/suites', `${name}.ts`), 'utf8');
    return /\bstartApp\(|dist\/renderer|RENDERER_DIR/.test(source);
  } catch {
    return false;
  }
}

/** Builds the UI of checkout `dir` into its dist/renderer with its own vite config; null when built, else why not. */
export async function buildRenderer(dir: string): Promise<string | null> {
  const config = join(dir, 'renderer/vite.config.ts');
  if (!existsSync(config)) return 'no renderer/vite.config.ts';
  return runNode([join(dir, 'node_modules/vite/bin/vite.js'), 'build', '--config', config, '--logLevel', 'warn'], dir);
}

export interface BaseCheckout {
  dir: string;
  /** Null when the command line (dist/cli) was built, else why not. */
  cliBuildError: string | null;
  /** Milliseconds the folder, its node_modules and its build took. */
  preparedInMs: number;
  cleanup(): void;
}

/**
 * The files of `commit` (git archive: the repository itself is not touched) in a new temporary
 * folder, with:
 * - node_modules: a real folder of hard links to this checkout's installed files (a fraction of a
 *   second), not a symbolic link to it. A build resolves a symbolic link to the file it points at,
 *   so through a link every bundled package would come from outside the other checkout, which its
 *   build script (as it stood at that commit) may refuse (scripts/build-cli.mjs hashes every input
 *   that is not under its own node_modules/). node_modules/.cache (the WordNet index) and .vite are
 *   copied, so nothing the other side writes there changes this checkout's files.
 * - dist/vectors copied from this checkout (the word vectors' conversion takes ~10 s of CPU; a
 *   commit that reads another format converts its own).
 * - dist/cli built by its own scripts/build-cli.mjs.
 */
export async function prepareBase(root: string, commit: string): Promise<BaseCheckout> {
  const started = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'agent-blob-bench-base-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    await new Promise<void>((resolve, reject) => {
      const git = spawn('git', ['archive', '--format=tar', commit], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
      const tar = spawn('tar', ['-x', '-C', dir], { stdio: ['pipe', 'ignore', 'pipe'] });
      git.stdout.pipe(tar.stdin);
      let err = '';
      git.stderr.on('data', (d: Buffer) => (err += d));
      tar.stderr.on('data', (d: Buffer) => (err += d));
      // Either may close first (tar ends when git's output does, often before git's own close is seen): both are waited for.
      const codes = [git, tar].map((child) => new Promise<number | null>((done) => child.on('close', done)));
      void Promise.all(codes).then(([gitCode, tarCode]) =>
        gitCode === 0 && tarCode === 0 ? resolve() : reject(new Error(`git archive ${commit}: ${err.trim() || `exit ${gitCode}/${tarCode}`}`)),
      );
    });
    const modules = realpathSync(join(root, 'node_modules'));
    linkTree(modules, join(dir, 'node_modules'), ['.cache', '.vite']);
    const vectors = join(root, 'dist/vectors');
    if (existsSync(vectors) && lstatSync(vectors).isDirectory()) {
      mkdirSync(join(dir, 'dist'), { recursive: true });
      linkTree(vectors, join(dir, 'dist/vectors'), 'all');
    }
    const cliBuildError = existsSync(join(dir, 'scripts/build-cli.mjs')) ? await runNode(['scripts/build-cli.mjs'], dir) : null;
    return { dir, cliBuildError, preparedInMs: performance.now() - started, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}
