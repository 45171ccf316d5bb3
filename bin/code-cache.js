// Runs a CommonJS bundle of dist/cli/ (built as one script for this) through V8's code cache, so a
// start deserializes the functions the last start compiled instead of parsing and compiling the
// bundle again. Node 20 has no code cache for ES modules (module.enableCompileCache came in 22),
// hence a script: `vm.Script` takes the cache (`cachedData`) and makes one (`createCachedData`).
//
//   const bundle = loadCached(fileUrl, { cacheDir });
//   bundle.exports.main(...);
//   bundle.saveCache(); // once the work worth caching has run: writes a cache when none was used
//
// The cache file is keyed on the sha256 of the bundle's text, Node's version and the architecture
// (V8 itself checks only the text's length and its own flags, so a rebuilt bundle of the same length
// would otherwise take a stale cache). The build records that hash beside the bundle
// (`recordBundleHash`: `<bundle>.sha256`, with the bundle's size and modification time), so a start
// does not hash ~2 MB; a bundle whose size or time differs from the record is hashed at load. A cache V8 rejects (another V8, other flags, a damaged file)
// is ignored and replaced; a folder that cannot be written leaves every start compiling as before.
// The cache folder must be as private as the bundle itself: a cache is code.
import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import vm from 'node:vm';

/**
 * The bundle's body runs inside this function, as Node's own CommonJS loader runs a file. A change to
 * it changes the compiled text: its version is part of the cache file's name.
 */
const WRAPPER_VERSION = 'w1';
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname, __scriptImport) {\n';
const WRAPPER_TAIL = '\n})';

/**
 * Loads the CommonJS bundle at `file` (a path or file: URL) and returns its exports, whether a
 * cache was used (`cache`: 'used', 'rejected', 'none'), the bundle's sha256 (`hash`, 32 hex digits:
 * which build runs), and `saveCache()`, which writes a cache of what has been compiled so far into
 * `cacheDir` when this start used none. `saveCache` never throws.
 */
export function loadCached(file, { cacheDir }) {
  const path = typeof file === 'string' ? file : fileURLToPath(file);
  const { bytes, stat } = readWithStat(path);
  // ASCII (as the build writes it) becomes a one-byte string without decoding UTF-8.
  const source = WRAPPER_HEAD + bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8') + WRAPPER_TAIL;
  const name = basename(path).replace(/\.c?js$/, '');
  const hash = bundleHash(path, bytes, stat);
  const cacheFile = join(cacheDir, `${name}-${hash}-${WRAPPER_VERSION}-${process.version}-${process.arch}.v8cache`);
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // none yet (or unreadable): compiled from the text
  }
  const script = new vm.Script(source, {
    filename: path,
    // The wrapper has a line of its own: line numbers are the bundle's.
    lineOffset: -1,
    cachedData,
  });
  const cache = cachedData === undefined ? 'none' : script.cachedDataRejected ? 'rejected' : 'used';
  const module = { exports: {} };
  // import() in a script needs a handler of its own, which Node 20 loses when the script comes from a
  // cache; the build writes the bundle's import() calls as calls of this one instead.
  const url = pathToFileURL(path);
  const importModule = (specifier) => import(/^\.\.?\//.test(specifier) ? new URL(specifier, url).href : specifier);
  script.runInThisContext().call(module.exports, module.exports, createRequire(path), module, path, dirname(path), importModule);
  let saved = cache === 'used';
  return {
    exports: module.exports,
    cache,
    hash,
    saveCache() {
      if (saved) return;
      saved = true;
      const temp = `${cacheFile}.${process.pid}.tmp`;
      try {
        const data = script.createCachedData();
        mkdirSync(cacheDir, { recursive: true });
        // Written aside and renamed in, so a start running meanwhile reads a whole file or none.
        writeFileSync(temp, data, { mode: 0o600 });
        renameSync(temp, cacheFile);
        // Caches of earlier builds of this bundle (or another Node) are of no further use, nor is a
        // file a start left half written (killed mid-write) once it is a minute old.
        const staleBefore = Date.now() - 60_000;
        for (const entry of readdirSync(cacheDir)) {
          if (!entry.startsWith(`${name}-`) || entry === basename(cacheFile)) continue;
          const other = join(cacheDir, entry);
          if (!entry.endsWith('.tmp') || statSync(other, { throwIfNoEntry: false })?.mtimeMs < staleBefore) rmSync(other, { force: true });
        }
      } catch {
        // A write that failed part way (a full disk, a file-size limit) leaves nothing behind.
        try {
          rmSync(temp, { force: true });
        } catch {
          // not removable either: the clean-up of a later start removes it
        }
        // A folder that cannot be written (a read-only install, a full disk): the next start compiles.
      }
    },
  };
}

/** Run by the build on a finished bundle: records its sha256, size and modification time beside it. */
export function recordBundleHash(path) {
  const { bytes, stat } = readWithStat(path);
  writeFileSync(`${path}.sha256`, `${JSON.stringify({ sha256: hashOf(bytes), size: stat.size, mtimeMs: stat.mtimeMs })}\n`);
}

/**
 * The file's bytes and its size and modification time, all of one open file: a build renaming a new
 * bundle into place meanwhile cannot pair the old bytes with the new file's time (or the other way).
 */
function readWithStat(path) {
  const fd = openSync(path, 'r');
  try {
    return { stat: fstatSync(fd), bytes: readFileSync(fd) };
  } finally {
    closeSync(fd);
  }
}

/** The bundle's sha256 (32 hex digits): as the build recorded it when `bytes` (of size and time `stat`) are the file it saw, else hashed now. */
function bundleHash(path, bytes, { size, mtimeMs }) {
  try {
    const recorded = JSON.parse(readFileSync(`${path}.sha256`, 'utf8'));
    if (recorded.size === size && recorded.mtimeMs === mtimeMs && size === bytes.length && /^[0-9a-f]{64}$/.test(recorded.sha256)) return recorded.sha256.slice(0, 32);
  } catch {
    // no record (a bundle built without one): hashed below
  }
  return hashOf(bytes).slice(0, 32);
}

function hashOf(content) {
  return createHash('sha256').update(content).digest('hex');
}
