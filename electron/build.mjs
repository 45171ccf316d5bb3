#!/usr/bin/env node
// `npm run build:electron`: bundles the main process (with core) and the preload with esbuild.
//
// Why a bundle rather than tsc output: the sandboxed preload may only require('electron'), so the
// contract's channel names must be inlined into one CommonJS file; and the main process loads one
// ESM file instead of hundreds, with npm packages left external (electron-builder ships them and
// rebuilds the native ones). Type checking stays with `tsc -p electron/tsconfig.json` (npm run
// typecheck), so a type error elsewhere never blocks `npm start`.
import { build } from 'esbuild';
import { tsImport } from 'tsx/esm/api';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const flag = (name) => {
  const at = process.argv.indexOf(name);
  return at > 0 ? resolve(process.argv[at + 1]) : null;
};
// `--outdir D` builds elsewhere (tests); the window's page is then written only with `--page-dir P`
// (a folder holding a built index.html), so a test never rewrites dist/renderer.
const outDir = flag('--outdir') ?? join(root, 'dist', 'electron');
const pageDir = flag('--page-dir') ?? (flag('--outdir') ? null : join(root, 'dist', 'renderer'));

/**
 * Bundled modules keep the `import.meta.url` of their source file (relative to the bundle), so code
 * that finds package.json or dist/renderer from its own location works the same from the bundle,
 * from source, and inside app.asar.
 */
const sourceUrls = {
  name: 'source-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const fromBundle = relative(outDir, args.path).split('\\').join('/');
      const expr = `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`;
      return { contents: source.replaceAll('import.meta.url', expr), loader: 'ts' };
    });
  },
};

const common = { bundle: true, platform: 'node', target: 'node22', sourcemap: true, logLevel: 'warning', absWorkingDir: root };

await build({
  ...common,
  entryPoints: [join(root, 'electron', 'main.ts')],
  outfile: join(outDir, 'main.js'),
  format: 'esm',
  packages: 'external',
  plugins: [sourceUrls],
});

await build({
  ...common,
  entryPoints: [join(root, 'electron', 'preload.ts')],
  outfile: join(outDir, 'preload.cjs'),
  format: 'cjs',
  external: ['electron'],
});

// The worker thread that builds the WordNet index at a first start where the app has none
// (core/memory/lexicon/: it looks for dist/electron/lexicon-worker.js).
await build({
  ...common,
  entryPoints: [join(root, 'core', 'memory', 'lexicon', 'worker.ts')],
  outfile: join(outDir, 'lexicon-worker.js'),
  format: 'esm',
  packages: 'external',
  plugins: [sourceUrls],
});

if (pageDir) await writeDesktopPage(pageDir);

/**
 * The window loads `dist/renderer/desktop.html` (as app://agent-blob/desktop.html): the built
 * index.html with the desktop CSP in its meta tag (no network at all; the page talks to core over
 * IPC). The app:// handler sends the same policy as a header. The headless host keeps index.html.
 */
async function writeDesktopPage(dir) {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) {
    console.warn(`build:electron: ${index} is missing; run npm run build:renderer (the window needs it)`);
    return;
  }
  // The same constant the session's CSP header uses, so the two cannot drift apart.
  const { DESKTOP_CSP } = await tsImport('./security.ts', import.meta.url);
  const html = readFileSync(index, 'utf8');
  // frame-ancestors only works as a header; in a meta tag Chromium ignores it with a warning.
  const policy = DESKTOP_CSP.split('; ').filter((d) => !d.startsWith('frame-ancestors')).join('; ');
  const meta = `<meta http-equiv="Content-Security-Policy" content="${policy}" />`;
  const cspTag = /<meta\s+http-equiv=["']Content-Security-Policy["'][^>]*>/i;
  const page = cspTag.test(html) ? html.replace(cspTag, meta) : html.replace(/<head>/i, `<head>\n    ${meta}`);
  writeFileSync(join(dir, 'desktop.html'), page);
}
