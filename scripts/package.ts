// `npm run package [-- electron-builder options]`: installers for the desktop app.
//
//   npm run package                      this OS's installers, this machine's architecture
//   npm run package -- --mac --x64 --arm64
//   npm run package -- --linux deb --arm64
//   npm run package -- --dir             the unpacked app only (release/<os>-unpacked)
//
// Runs after `npm run build`. The app is staged in release/.stage (see packaging/stage.ts) so the
// checkout's node_modules stays built for Node; electron-builder packs the staged copy with
// electron-builder.yml. Signing and notarisation come from the environment (docs/desktop.md); a
// build that ends up unsigned says so at the end, loudly.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Arch, build, type AfterPackContext, type CliOptions } from 'electron-builder';
import { configureBuildCommand, createYargs, normalizeOptions } from 'electron-builder/out/builder.js';
import { packagingConfig, updateFeed } from './packaging/config.js';
import { ARCH_NAMES, SQLITE_VEC_TARGETS } from './packaging/native-check.js';
import { signingPlan, unsignedWarning } from './packaging/signing.js';
import { stageApp, type Target } from './packaging/stage.js';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));

type Options = ReturnType<typeof normalizeOptions>;

/** Every build the options ask for, as `{platform, arch}` (electron-builder's own parsing). */
function requestedTargets(options: Options): Target[] {
  const out: Target[] = [];
  for (const [platform, archs] of options.targets ?? new Map()) {
    for (const arch of archs.keys()) out.push({ platform: platform.nodeName, arch: ARCH_NAMES[arch] ?? Arch[arch] });
  }
  return out;
}

function deepMerge(base: Record<string, unknown>, extra: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(extra)) {
    const current = base[key];
    out[key] =
      value && typeof value === 'object' && !Array.isArray(value) && current && typeof current === 'object' && !Array.isArray(current)
        ? deepMerge(current as Record<string, unknown>, value as Record<string, unknown>)
        : value;
  }
  return out;
}

async function main(): Promise<void> {
  const env = process.env;
  const args = configureBuildCommand(createYargs()).parseSync(process.argv.slice(2)) as CliOptions;
  const options = normalizeOptions({ ...args, publish: args.publish ?? 'never' });
  const targets = requestedTargets(options);
  for (const { platform, arch } of targets) {
    if (arch === 'universal') throw new Error('universal macOS builds are not supported: build --x64 and --arm64 separately (each carries its own sqlite-vec)');
    if (!SQLITE_VEC_TARGETS.includes(`${platform}-${arch}`)) throw new Error(`sqlite-vec has no library for ${platform}-${arch}; supported: ${SQLITE_VEC_TARGETS.join(', ')}`);
  }
  if (targets.some((t) => t.platform === 'darwin') && process.platform !== 'darwin') {
    throw new Error('macOS apps are built on macOS (electron-builder signs them and makes the dmg there)');
  }

  // Overrides given as -c.key=value on the command line win over electron-builder.yml.
  if (typeof options.config === 'string') throw new Error('the configuration is electron-builder.yml; give single settings as -c.key=value');
  const overrides = (options.config ?? {}) as Record<string, unknown> & { directories?: { output?: string } };
  const outputDir = resolve(root, overrides.directories?.output ?? 'release');
  const stageDir = join(outputDir, '.stage');
  // AGENT_BLOB_DIST_DIR: the built app somewhere other than dist/ (the packaging tests build their own).
  const distDir = env.AGENT_BLOB_DIST_DIR ? resolve(env.AGENT_BLOB_DIST_DIR) : join(root, 'dist');
  stageApp({ root, distDir, stageDir, targets, withModules: !options.prepackaged });

  for (const line of signingPlan(targets, env).notes) console.log(line);
  const feed = updateFeed(env);
  console.log(
    feed
      ? `Update feed: ${feed.provider === 'github' ? `GitHub releases of ${feed.owner}/${feed.repo}` : feed.url}`
      : 'No update feed (AGENT_BLOB_UPDATE_URL / AGENT_BLOB_UPDATE_GITHUB unset): these builds will not update themselves.',
  );

  const packed: string[] = [];
  const signed = new Set<string>();
  const key = (context: AfterPackContext) => `${context.electronPlatformName}-${ARCH_NAMES[context.arch] ?? context.arch}`;
  const config = packagingConfig({
    root,
    outputDir,
    env,
    hooks: {
      afterPack: (context) => void packed.push(key(context)),
      // Only where signing can happen: electron-builder warns about an afterSign hook it never calls.
      afterSign: targets.some((t) => t.platform !== 'linux') ? (context) => void signed.add(key(context)) : undefined,
    },
  });
  const merged = deepMerge(config, { ...overrides, directories: { ...overrides.directories, output: outputDir } });
  const artifacts = await build({ ...options, projectDir: stageDir, config: merged } as CliOptions);

  for (const file of artifacts) console.log(`  ${file}`);
  const unsigned = packed.filter((name) => !signed.has(name) && !name.startsWith('linux'));
  if (unsigned.length) console.warn(unsignedWarning(unsigned));
}

if (!existsSync(join(root, 'node_modules', 'electron-builder'))) {
  console.error('electron-builder is not installed: run npm install');
  process.exit(1);
}
// electron-builder leaves HTTP agents and timers behind that would hold the process for a while.
main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(`npm run package: ${(err as Error)?.message ?? String(err)}`);
    process.exit(1);
  },
);
