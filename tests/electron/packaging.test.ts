import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const root = fileURLToPath(new URL('../..', import.meta.url));
const config = parse(readFileSync(join(root, 'electron-builder.yml'), 'utf8')) as Record<string, unknown> & {
  files: string[];
  asarUnpack: string[];
  linux: { target: string[]; icon: string };
  mac: { target: string[]; icon: string };
  win: { target: string[]; icon: string };
  extraMetadata: { main: string };
};
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { main: string };

function pngSize(file: string): { width: number; height: number } {
  const data = readFileSync(join(root, file));
  assert.deepEqual([...data.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${file} is a PNG`);
  assert.equal(data.subarray(12, 16).toString('ascii'), 'IHDR');
  return { width: data.readUInt32BE(16), height: data.readUInt32BE(20) };
}

describe('packaging configuration', () => {
  test('Electron is pinned to the installed version and the app starts from the built main', () => {
    const installed = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string };
    assert.equal(config.electronVersion, installed.version);
    assert.equal(config.productName, 'Agent Blob');
    assert.equal(pkg.main, 'dist/electron/main.js');
    assert.equal(config.extraMetadata.main, pkg.main);
    assert.equal(config.npmRebuild, true);
  });

  test('the app ships its built output, not its sources or tests, and unpacks the native code', () => {
    assert.ok(config.files.includes('dist/electron/**'));
    assert.ok(config.files.includes('dist/renderer/**'));
    assert.ok(config.files.includes('package.json'));
    assert.ok(!config.files.some((f) => /^(tests|core|electron|renderer)\//.test(f)), 'no source or test folder is listed');
    assert.ok(config.asarUnpack.some((p) => p.includes('better-sqlite3') && p.endsWith('*.node')));
    assert.ok(config.asarUnpack.some((p) => p.includes('sqlite-vec-')));
  });

  test('every target has its installer and icons of the sizes the platforms ask for', () => {
    assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
    assert.deepEqual(config.mac.target, ['dmg']);
    assert.deepEqual(config.win.target, ['nsis']);
    assert.deepEqual(pngSize('resources/icon.png'), { width: 1024, height: 1024 }, 'macOS asks for 1024 px (512 pt at 2x)');
    assert.deepEqual(pngSize('resources/icon-256.png'), { width: 256, height: 256 });
    for (const size of [16, 32, 64, 128, 256, 512]) assert.deepEqual(pngSize(`resources/icons/${size}x${size}.png`), { width: size, height: size });
    assert.deepEqual(pngSize('resources/tray.png'), { width: 16, height: 16 });
    assert.deepEqual(pngSize('resources/tray@2x.png'), { width: 32, height: 32 });
    assert.deepEqual(pngSize('resources/trayTemplate.png'), { width: 16, height: 16 });
    assert.deepEqual(pngSize('resources/trayTemplate@2x.png'), { width: 32, height: 32 });
  });
});
