import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync, linkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PermissionMode, PermissionRule } from '../../../core/contract/index.js';
import { PolicyEngine, nodePathSystem } from '../../../core/permissions/index.js';

/**
 * A sandbox on disk for policy tests: `root` (the allowed folder, with files, a link inside and links
 * out), `outside` (a sibling folder that is not allowed), `home` (a fake home folder), `data` (the
 * app's data folder with its `workspace`).
 */
export interface Sandbox {
  base: string;
  root: string;
  outside: string;
  home: string;
  data: string;
  cleanup(): void;
}

export function makeSandbox(): Sandbox {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'ab-perm-')));
  const root = join(base, 'root');
  const outside = join(base, 'outside');
  const home = join(base, 'home');
  const data = join(base, 'data');
  for (const dir of [root, join(root, 'src'), join(root, 'notes'), join(root, 'docs', 'deep'), outside, home, join(home, '.ssh'), join(data, 'workspace')]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(root, 'src', 'main.ts'), 'x');
  writeFileSync(join(root, 'notes', 'todo.md'), 'x');
  writeFileSync(join(outside, 'secret.txt'), 'x');
  writeFileSync(join(home, '.ssh', 'id_ed25519'), 'x');
  writeFileSync(join(data, 'agent-blob.db'), 'x');
  symlinkSync(outside, join(root, 'escape'));
  symlinkSync(join(outside, 'secret.txt'), join(root, 'secret-link.txt'));
  symlinkSync(join(root, 'src'), join(root, 'src-link'));
  symlinkSync(join(base, 'nowhere', 'x'), join(root, 'dangling'));
  symlinkSync('/', join(root, 'slash'));
  symlinkSync(join(root, 'docs'), join(root, 'docs', 'deep', 'up'));
  linkSync(join(outside, 'secret.txt'), join(root, 'hardlink.txt'));
  return { base, root, outside, home, data, cleanup: () => rmSync(base, { recursive: true, force: true }) };
}

let nextRule = 0;
export function rule(effect: PermissionRule['effect'], capability: string, pattern: string, scope = 'everywhere'): PermissionRule {
  nextRule++;
  return { id: `r${nextRule}`, effect, capability, pattern, scope, note: '', createdAt: nextRule, updatedAt: nextRule };
}

export function engineFor(sandbox: Sandbox, rules: PermissionRule[] = [], mode: PermissionMode = 'normal', roots = [sandbox.root, join(sandbox.data, 'workspace')]): PolicyEngine {
  const engine = new PolicyEngine(nodePathSystem(sandbox.home, 'linux'));
  engine.load({ roots, protectedPaths: [sandbox.data], reopenedPaths: [join(sandbox.data, 'workspace')], mode, rules });
  return engine;
}
