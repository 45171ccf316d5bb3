import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { unpackedPath } from '../../electron/native-modules.js';
import { tempDir } from '../support/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixture = join(root, 'tests', 'electron', 'fixtures', 'native-check.ts');

function check(...args: string[]): { status: number | null; out: string; err: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', fixture, ...args], { cwd: root, encoding: 'utf8', timeout: 30_000 });
  return { status: result.status, out: result.stdout.trim(), err: result.stderr };
}

describe('native modules in the desktop app', () => {
  test('paths inside app.asar map to the unpacked folder, and nothing else changes', () => {
    assert.equal(unpackedPath('/opt/Agent Blob/resources/app.asar/node_modules/sqlite-vec-linux-x64/vec0.so'), '/opt/Agent Blob/resources/app.asar.unpacked/node_modules/sqlite-vec-linux-x64/vec0.so');
    assert.equal(unpackedPath('C:\\Agent Blob\\resources\\app.asar\\node_modules\\x\\vec0.dll'), 'C:\\Agent Blob\\resources\\app.asar.unpacked\\node_modules\\x\\vec0.dll');
    assert.equal(unpackedPath('/home/me/app.asarx/vec0.so'), '/home/me/app.asarx/vec0.so');
    assert.equal(unpackedPath('/work/node_modules/sqlite-vec-linux-x64/vec0.so'), '/work/node_modules/sqlite-vec-linux-x64/vec0.so');
  });

  test('sqlite-vec asked for inside app.asar loads from app.asar.unpacked', () => {
    const dir = tempDir('agent-blob-asar-');
    try {
      const patched = check('asar', dir.path);
      assert.equal(patched.status, 0, patched.err);
      assert.match(JSON.parse(patched.out).vec, /^v\d/);
      const unpatched = check('asar', dir.path, 'unpatched');
      assert.notEqual(unpatched.status, 0, 'without the redirect the archive path cannot load');
    } finally {
      dir.cleanup();
    }
  });

  test("better-sqlite3's addon is loaded from the Electron build named by the launcher", () => {
    const dir = tempDir('agent-blob-addon-');
    try {
      const result = check('addon', dir.path);
      assert.equal(result.status, 0, result.err);
      const { used, loaded } = JSON.parse(result.out) as { used: boolean; loaded: string[] };
      assert.equal(used, true);
      assert.deepEqual(loaded, [join(dir.path, 'electron-build', 'better_sqlite3.node')]);
    } finally {
      dir.cleanup();
    }
  });

  test('an installed app ignores AGENT_BLOB_SQLITE_ADDON and loads the addon it was packaged with', () => {
    const dir = tempDir('agent-blob-addon-');
    try {
      const result = check('addon-installed', dir.path);
      assert.equal(result.status, 0, result.err);
      const { used, loaded } = JSON.parse(result.out) as { used: boolean; loaded: string[] };
      assert.equal(used, false);
      assert.equal(loaded.length, 1);
      assert.match(loaded[0], /node_modules[\\/]better-sqlite3[\\/]build[\\/]Release[\\/]better_sqlite3\.node$/);
    } finally {
      dir.cleanup();
    }
  });
});
