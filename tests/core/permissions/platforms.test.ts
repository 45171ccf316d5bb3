import assert from 'node:assert/strict';
import type { Stats } from 'node:fs';
import { describe, it } from 'node:test';
import { PolicyEngine, resolvePath, splitShellCommand, type PathSystem } from '../../../core/permissions/index.js';
import { engineFor, makeSandbox, rule } from './fixtures.js';

/** A file system held in memory: folders, files and links, with the name comparison of the volume. */
function fakeSystem(platform: 'posix' | 'win32', caseInsensitive: boolean, entries: Record<string, 'dir' | 'file' | { link: string }>): PathSystem {
  const norm = (p: string) => (caseInsensitive ? p.toLowerCase() : p).replace(/\\/g, '/').replace(/\/$/, '');
  const table = new Map(Object.entries(entries).map(([k, v]) => [norm(k), { name: k, v }]));
  const stat = (kind: 'dir' | 'file' | 'link') => ({ isSymbolicLink: () => kind === 'link', isDirectory: () => kind === 'dir', nlink: 1 }) as unknown as Stats;
  return {
    platform,
    caseInsensitive,
    home: platform === 'win32' ? 'C:\\Users\\me' : '/Users/me',
    lstat: (p) => {
      const e = table.get(norm(p));
      return e ? stat(typeof e.v === 'string' ? e.v : 'link') : null;
    },
    realpath: (p) => {
      const e = table.get(norm(p));
      if (!e) throw new Error('ENOENT');
      const target = typeof e.v === 'string' ? e.name : e.v.link;
      return platform === 'win32' ? target.replace(/\//g, '\\') : target;
    },
  };
}

describe('paths on other systems', () => {
  const win = fakeSystem('win32', true, { 'C:\\': 'dir', 'C:\\Users': 'dir', 'C:\\Users\\me': 'dir', 'C:\\Users\\me\\Project': 'dir', 'C:\\Users\\me\\Project\\out': { link: 'D:\\elsewhere' } });
  const mac = fakeSystem('posix', true, { '/Users': 'dir', '/Users/me': 'dir', '/Users/me/Project': 'dir', '/Users/me/Project/Notes': 'dir' });

  const engineOn = (sys: PathSystem, root: string, rules = [] as ReturnType<typeof rule>[]) => {
    const engine = new PolicyEngine(sys);
    engine.load({ roots: [root], protectedPaths: [], reopenedPaths: [], mode: 'normal', rules });
    return engine;
  };

  const winCases: [string, 'allow' | 'deny'][] = [
    ['C:\\Users\\me\\Project\\a.txt', 'allow'],
    ['c:\\users\\ME\\project\\a.txt', 'allow'],
    ['C:/Users/me/Project/sub/a.txt', 'allow'],
    ['C:\\Users\\me\\Project\\..\\Other\\a.txt', 'deny'],
    ['C:\\Users\\me\\ProjectX\\a.txt', 'deny'],
    ['D:\\Users\\me\\Project\\a.txt', 'deny'],
    ['C:\\Users\\me\\Project\\out\\a.txt', 'deny'],
    ['\\\\server\\share\\a.txt', 'deny'],
    ['C:\\Users\\me\\Project\\a.txt:secret', 'deny'],
    ['C:a.txt', 'deny'],
    ['~\\Project\\a.txt', 'allow'],
    ['sub\\a.txt', 'allow'],
  ];
  for (const [path, expect] of winCases) {
    it(`on Windows, a read of ${path} is ${expect === 'allow' ? 'allowed' : 'denied'}`, () => {
      const result = engineOn(win, 'C:\\Users\\me\\Project').evaluate({ capability: 'fs.read', resource: path });
      assert.equal(result.decision, expect, result.reason);
    });
  }

  it('on a case-insensitive volume a rule matches whatever the case of the path', () => {
    const engine = engineOn(mac, '/Users/me/Project', [rule('deny', 'fs.read', '/Users/me/Project/notes/**')]);
    assert.equal(engine.evaluate({ capability: 'fs.read', resource: '/users/ME/project/NOTES/todo.md' }).decision, 'deny');
    assert.equal(engine.evaluate({ capability: 'fs.read', resource: '/USERS/me/Project/other.md' }).decision, 'allow');
  });

  it('on a case-sensitive volume the same paths differ', () => {
    const linux = fakeSystem('posix', false, { '/home': 'dir', '/home/me': 'dir', '/home/me/Project': 'dir' });
    const engine = engineOn(linux, '/home/me/Project');
    assert.equal(engine.evaluate({ capability: 'fs.read', resource: '/home/me/project/a.md' }).decision, 'deny');
  });

  it('a Windows drive path is refused on a system without drives', () => {
    const r = resolvePath('C:\\Windows', '/home/me', fakeSystem('posix', false, {}));
    assert.equal(r.ok, false);
  });
});

describe("the app's own data folder", () => {
  it('stays off limits when an allowed folder contains it, except its workspace', () => {
    const sb = makeSandbox();
    try {
      const engine = engineFor(sb, [rule('allow', 'fs.write', `${sb.base}/**`)], 'normal', [sb.base]);
      const db = engine.evaluate({ capability: 'fs.read', resource: `${sb.data}/agent-blob.db` });
      assert.equal(db.decision, 'deny');
      assert.match(db.reason, /data folder/);
      assert.equal(engine.evaluate({ capability: 'fs.write', resource: `${sb.data}/secrets.json` }).decision, 'deny');
      assert.equal(engine.evaluate({ capability: 'fs.write', resource: `${sb.data}/workspace/notes.md` }).decision, 'allow');
      assert.equal(engine.evaluate({ capability: 'fs.write', resource: `${sb.data}/workspace/../agent-blob.db` }).decision, 'deny');
    } finally {
      sb.cleanup();
    }
  });
});

describe('splitting shell commands', () => {
  const cases: [string, string[], string[]][] = [
    ['a; b && c || d | e & f', ['a', 'b', 'c', 'd', 'e', 'f'], []],
    ['echo "a; b" \'c && d\'', ['echo a; b c && d'], []],
    ['x $(y; z) `w`', ['y', 'z', 'w', 'x $(…) $(…)'], []],
    ['cat < in.txt > out.txt 2>> err.log', ['cat'], ['< in.txt', '> out.txt', '2>> err.log']],
    ['cmd 2>&1 >&- &> both.log', ['cmd'], ['&> both.log']],
    ['diff <(ls a) >(tee b)', ['ls a', 'tee b', 'diff $(…) $(…)'], []],
    ['echo a\\;b', ['echo a;b'], []],
    ['ls # ; rm -rf /', ['ls'], []],
    ['{ a; b; }', ['a', 'b'], []],
  ];
  for (const [line, commands, redirections] of cases) {
    it(`reads ${JSON.stringify(line)} as ${commands.length} command(s) and ${redirections.length} redirection(s)`, () => {
      const split = splitShellCommand(line);
      assert.ok(split.ok, split.ok ? '' : split.reason);
      assert.deepEqual(split.commands.map((c) => c.text), commands);
      assert.deepEqual(split.redirections.map((r) => `${r.op} ${r.target}`), redirections);
    });
  }
});
