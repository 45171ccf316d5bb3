#!/usr/bin/env node
// `npm start`: opens the desktop app where Electron can run, else says why in one line and serves
// the same UI from the headless host on 127.0.0.1, printing its URL.
//
//   node bin/start.js [--data-dir D] [--port N] [--headless] [--until-stdin-closes]
//
// AGENT_BLOB_HEADLESS=1 (or --headless) skips Electron on purpose. --until-stdin-closes also stops
// the app, as on SIGTERM, when standard input closes, as `agent-blob host --until-stdin-closes`
// does: a program that starts it and holds its input (a test) never leaves it running behind.
// Ctrl-C and SIGTERM stop the app cleanly, and so does a hangup (SIGHUP: the terminal it runs in was
// closed) while its output goes to a terminal; with its output in a file or a pipe (nohup) it keeps running.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isatty } from 'node:tty';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
/** Set by findElectron; why launching failed after all, for the fallback line. */
let electronBinary = null;
let lastReason = '';
const args = parseArgs(process.argv.slice(2));
const env = { ...process.env };
if (args.dataDir) env.AGENT_BLOB_DATA_DIR = resolve(args.dataDir);
dropOutputNobodyReads();
// Listened for from the start: input may close while the app is still starting.
const inputClosed = args.untilStdinCloses ? stdinClosed() : null;

const why = args.headless ? null : await whyNoDesktop();
if (args.headless) {
  await startHeadless(null);
} else if (why === null) {
  const launched = launchElectron();
  if (launched) process.exitCode = await launched;
  else await startHeadless(lastReason);
} else {
  await startHeadless(why);
}

function parseArgs(argv) {
  const out = { dataDir: undefined, port: undefined, headless: process.env.AGENT_BLOB_HEADLESS === '1', untilStdinCloses: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--data-dir') out.dataDir = argv[++i];
    else if (arg.startsWith('--data-dir=')) out.dataDir = arg.slice('--data-dir='.length);
    else if (arg === '--port') out.port = Number(argv[++i]);
    else if (arg.startsWith('--port=')) out.port = Number(arg.slice('--port='.length));
    else if (arg === '--headless') out.headless = true;
    else if (arg === '--until-stdin-closes') out.untilStdinCloses = true;
    else {
      console.error(`agent-blob start: unknown option ${arg} (options: --data-dir D, --port N, --headless, --until-stdin-closes)`);
      process.exit(2);
    }
  }
  if (out.port !== undefined && !(Number.isInteger(out.port) && out.port >= 0 && out.port < 65536)) {
    console.error('agent-blob start: --port takes a port number');
    process.exit(2);
  }
  return out;
}

/** Null when a desktop window can open; else the reason it cannot. */
async function whyNoDesktop() {
  if (process.platform === 'linux' && !env.DISPLAY && !env.WAYLAND_DISPLAY) return 'no display (neither DISPLAY nor WAYLAND_DISPLAY is set)';
  const found = await findElectron();
  return found.binary ? null : `Electron is not installed (${found.reason})`;
}

/**
 * Where the Electron binary is, read from the electron package's own files. Requiring the package
 * instead would start a download when the binary is missing; that is tried only as a last step.
 */
async function findElectron() {
  const pkg = join(root, 'node_modules', 'electron');
  if (!existsSync(join(pkg, 'package.json'))) return { reason: 'the electron package is missing; run npm install' };
  const pathFile = join(pkg, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const binary = join(env.ELECTRON_OVERRIDE_DIST_PATH, relative || 'electron');
    return existsSync(binary) ? { binary: (electronBinary = binary) } : { reason: `no binary at ${binary} (ELECTRON_OVERRIDE_DIST_PATH)` };
  }
  if (relative && existsSync(join(pkg, 'dist', relative))) return { binary: (electronBinary = join(pkg, 'dist', relative)) };
  if (/^(1|true|yes)$/i.test(env.ELECTRON_SKIP_BINARY_DOWNLOAD ?? '')) {
    return { reason: 'ELECTRON_SKIP_BINARY_DOWNLOAD is set, so its binary was not downloaded' };
  }
  // The package's postinstall did not fetch the binary (offline, or install scripts skipped): try once.
  const attempt = await run(process.execPath, ['-e', "process.stdout.write(require('electron'))"], 300_000, 'Downloading the Electron binary (once)...');
  if (attempt.status === 0 && attempt.stdout && existsSync(attempt.stdout)) return { binary: (electronBinary = attempt.stdout) };
  return { reason: `its binary could not be downloaded: ${firstErrorLine(attempt.stderr) ?? `exit ${attempt.status}`}` };
}

/** Runs a child to completion; says `slowNote` if it takes more than two seconds. */
function run(command, argv, timeoutMs, slowNote) {
  return new Promise((done) => {
    const child = spawn(command, argv, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const slow = setTimeout(() => console.log(slowNote), 2000);
    const limit = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => (stderr += `Error: ${err.message}\n`));
    child.on('close', (status) => {
      clearTimeout(slow);
      clearTimeout(limit);
      done({ status, stdout, stderr });
    });
  });
}

/** The line of a child's stderr that says what failed: an `...Error:` line, else the last one. */
function firstErrorLine(text) {
  const lines = String(text ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^(\w*Error|Error):/.test(l)) ?? lines.at(-1) ?? null;
}

/** Starts Electron on the built app; resolves to its exit code, or returns null if it cannot run. */
function launchElectron() {
  const main = join(root, 'dist', 'electron', 'main.js');
  if (!existsSync(main)) {
    lastReason = 'the desktop app is not built (run npm run build)';
    return null;
  }
  const addon = sqliteAddonForElectron();
  if (addon.reason) {
    lastReason = addon.reason;
    return null;
  }
  const childEnv = { ...env };
  delete childEnv.ELECTRON_RUN_AS_NODE;
  if (addon.file) childEnv.AGENT_BLOB_SQLITE_ADDON = addon.file;
  // In a session of its own, so the signals a terminal sends to every process in front (Ctrl-C, the
  // hangup when it closes) reach Electron once, from here. Electron quits cleanly on the first SIGINT,
  // SIGTERM or SIGHUP and dies at once on a second of the same kind, so each kind is passed on once:
  // the same Ctrl-C may come twice, from the terminal and from npm, which passes it on to its script.
  // A hangup stops the app only while its output goes to a terminal (the rule of hangupStops in
  // core/host/shutdown.ts, which this path does not load). Listened for before Electron starts, so a
  // signal that comes meanwhile does not end this process with Electron left running; its listener
  // runs once Electron has started.
  let child = null;
  const passed = new Set();
  const passOn = (signal) => {
    if (passed.has(signal)) return;
    passed.add(signal);
    child.kill(signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, passOn);
  // Not on Windows: there SIGHUP says the console is closing, which ends this process anyway, and a
  // child cannot be sent one (kill throws ENOSYS, an uncaught error); Electron's window stays open.
  if (process.platform !== 'win32') process.on('SIGHUP', isatty(1) || isatty(2) ? passOn : hangupIgnored);
  child = spawn(electronBinary, [root], { cwd: root, env: childEnv, stdio: 'inherit', detached: process.platform !== 'win32' });
  inputClosed?.then(() => passOn('SIGTERM'));
  return new Promise((done) => {
    child.on('error', (err) => {
      console.error(`Electron did not start: ${err.message}`);
      done(1);
    });
    child.on('exit', (code, signal) => done(code ?? (signal ? 1 : 0)));
  }).finally(() => inputClosed && process.stdin.destroy());
}

/** Resolves when standard input closes: the program holding its other end ended, however it ended. */
function stdinClosed() {
  return new Promise((done) => {
    process.stdin.once('end', done);
    process.stdin.once('error', done);
    process.stdin.resume();
  });
}

/**
 * Output nobody can read any more is dropped: a pipe whose reader has gone (EPIPE), a terminal that was
 * closed (EIO), as the command line drops it. Saying "shutting down" to a gone reader never stops a
 * clean stop.
 */
function dropOutputNobodyReads() {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err) => {
      if (!(err.code === 'EPIPE' || (err.code === 'EIO' && stream.isTTY))) throw err;
    });
  }
}

function hangupIgnored() {
  console.log('Agent Blob: SIGHUP ignored: its output does not go to a terminal (stop it with SIGTERM).');
}

/**
 * better-sqlite3 in node_modules is built for Node; Electron has another ABI. Rather than rebuild it
 * in place (which breaks the CLI and the tests), fetch the prebuilt addon for this Electron into a
 * cache once; the desktop main process loads it from there. `{}` when the Node build already fits.
 */
function sqliteAddonForElectron() {
  const probe = (extra) =>
    spawnSync(electronBinary, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], {
      cwd: root,
      env: { ...env, ...extra, ELECTRON_RUN_AS_NODE: '1' },
      encoding: 'utf8',
      timeout: 60_000,
    });
  if (probe({}).status === 0) return {};
  const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  const sqlitePkg = join(root, 'node_modules', 'better-sqlite3');
  const sqliteVersion = JSON.parse(readFileSync(join(sqlitePkg, 'package.json'), 'utf8')).version;
  const cacheDir = join(root, 'node_modules', '.cache', 'agent-blob', `better-sqlite3-${sqliteVersion}-electron-${electronVersion}-${process.platform}-${process.arch}`);
  const file = join(cacheDir, 'better_sqlite3.node');
  if (!existsSync(file)) {
    console.log(`Fetching better-sqlite3 ${sqliteVersion} built for Electron ${electronVersion} (once)...`);
    const work = mkdtempSync(join(tmpdir(), 'agent-blob-sqlite-'));
    try {
      cpSync(join(sqlitePkg, 'package.json'), join(work, 'package.json'));
      const prebuild = join(root, 'node_modules', 'prebuild-install', 'bin.js');
      const fetched = spawnSync(process.execPath, [prebuild, '--runtime', 'electron', '--target', electronVersion, '--arch', process.arch, '--platform', process.platform], {
        cwd: work,
        env,
        encoding: 'utf8',
        timeout: 300_000,
      });
      const built = join(work, 'build', 'Release', 'better_sqlite3.node');
      if (fetched.status !== 0 || !existsSync(built)) {
        return { reason: `better-sqlite3 is built for Node, not Electron ${electronVersion}, and no Electron build could be fetched (${firstErrorLine(fetched.stderr) ?? `prebuild-install exited ${fetched.status}`}); run \`npx electron-builder install-app-deps\` to rebuild it for Electron` };
      }
      mkdirSync(cacheDir, { recursive: true });
      copyFileSync(built, file);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return { file };
}

/** `reason`: why the desktop app cannot run; null when the headless host was asked for. */
async function startHeadless(reason) {
  console.log(reason ? `${reason}: starting the headless host instead.` : 'Starting the headless host.');
  // The host as built into dist/cli/ (rebuilt first when the sources changed since).
  const build = await import('../scripts/build-cli.mjs');
  if (build.whyRebuild()) await build.buildCli();
  const { startHost, closeOnSignals } = await import('../dist/cli/host.js');
  const { defaultDataDir } = await import('../dist/cli/datadir.js');
  let host;
  try {
    host = await startHost({ dataDir: defaultDataDir(env), port: args.port, env: process.env });
  } catch (err) {
    // A host already serving this data folder: its page is the one to open (the lock is ours to read).
    const holder = err?.holder;
    if (holder?.owner === 'host' && holder.endpoint) {
      console.log(`Agent Blob is already running at ${holder.endpoint.url}?token=${holder.endpoint.token}`);
      process.exit(0);
    }
    console.error(`Agent Blob could not start: ${err?.message ?? err}`);
    process.exit(1);
  }
  closeOnSignals(host, { onClosing: () => console.log('Agent Blob: shutting down.'), onHangupIgnored: hangupIgnored });
  console.log(`Agent Blob is running at ${host.url}`);
  console.log(`Data folder: ${host.core.paths.dir}. Press Ctrl-C to stop.`);
  // As on SIGTERM: the same handler closes the host and exits.
  inputClosed?.then(() => process.emit('SIGTERM', 'SIGTERM'));
}
