import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { PermissionMode } from '../../../core/contract/index.js';
import { engineFor, makeSandbox, rule } from './fixtures.js';

type R = [effect: 'deny' | 'ask' | 'allow', capability: string, pattern: string, scope?: string];
interface Case {
  name: string;
  rules?: R[];
  cap: string;
  res: string;
  scope?: { scheduleId?: string; workerRole?: string };
  mode?: PermissionMode;
  expect: 'allow' | 'deny' | 'ask';
  by?: string;
  /** Index into `rules` of the rule expected to decide. */
  rule?: number;
}

const sb = makeSandbox();
after(() => sb.cleanup());
// One pass, and only where a placeholder starts a path: the sandbox's random name may itself end in R, O or H.
const fill = (s: string) => s.replace(/(?<![\w.-])([ROH])\//g, (_, k: string) => `${k === 'R' ? sb.root : k === 'O' ? sb.outside : sb.home}/`);

const cases: Case[] = [];
const add = (c: Case) => cases.push(c);

// Path globs: which patterns cover which files.
const pathGlobs: [pattern: string, path: string, matches: boolean][] = [
  ['R/src/main.ts', 'R/src/main.ts', true],
  ['R/src/main.ts', 'R/src/other.ts', false],
  ['R/src/*.ts', 'R/src/main.ts', true],
  ['R/src/*.ts', 'R/src/main.js', false],
  ['R/src/*.ts', 'R/src/deep/main.ts', false],
  ['R/src/**', 'R/src/deep/main.ts', true],
  ['R/src/**', 'R/notes/todo.md', false],
  ['R/**/*.md', 'R/notes/todo.md', true],
  ['R/**/*.md', 'R/docs/deep/a.md', true],
  ['R/**/*.md', 'R/docs/deep/a.mdx', false],
  ['R/notes/*', 'R/notes/.hidden', true],
  ['R/*.{md,txt}', 'R/readme.txt', true],
  ['R/*.{md,txt}', 'R/readme.rst', false],
  ['R/notes/todo.md', 'R/notes/../notes/todo.md', true],
  ['R/src/**', 'R/src-link/main.ts', true],
  ['R/src-link/**', 'R/src-link/main.ts', true],
  ['R/docs/**', 'R/docs/deep/up/deep/x.md', true],
  ['R/out/new-file.txt', 'R/out/new-file.txt', true],
  ['R/out/*', 'R/out/new/deeper.txt', false],
  ['R/[ab].txt', 'R/a.txt', true],
];
for (const [pattern, path, matches] of pathGlobs) {
  add({ name: `fs.write glob ${pattern} ${matches ? 'covers' : 'does not cover'} ${path}`, rules: [['allow', 'fs.write', pattern]], cap: 'fs.write', res: path, expect: matches ? 'allow' : 'ask', by: matches ? 'rule' : 'default' });
  add({ name: `fs.read deny glob ${pattern} ${matches ? 'covers' : 'does not cover'} ${path}`, rules: [['deny', 'fs.read', pattern]], cap: 'fs.read', res: path, expect: matches ? 'deny' : 'allow', by: matches ? 'rule' : 'default' });
}
add({ name: 'a rule cannot open a path outside the allowed folders', rules: [['allow', 'fs.write', '~/notes/**']], cap: 'fs.write', res: '~/notes/a.md', expect: 'deny', by: 'safety' });

// Host patterns.
const hosts: [pattern: string, url: string, matches: boolean][] = [
  ['example.com', 'https://example.com/a', true],
  ['example.com', 'https://www.example.com/a', false],
  ['*.example.com', 'https://www.example.com/a', true],
  ['*.example.com', 'https://a.b.example.com/', true],
  ['*.example.com', 'https://example.com/', false],
  ['*.example.com', 'https://badexample.com/', false],
  ['*.example.com', 'https://example.com.evil.net/', false],
  ['EXAMPLE.com', 'https://example.COM/', true],
  ['example.com:8443', 'https://example.com:8443/', true],
  ['example.com:8443', 'https://example.com/', false],
  ['https://api.github.com', 'https://api.github.com/repos', true],
  ['*', 'https://anything.org/', true],
  ['example.com', 'https://example.com./', true],
  ['93.184.216.34', 'http://93.184.216.34/', true],
  ['93.184.216.34', 'http://93.184.216.35/', false],
  ['[2606:4700::1111]', 'http://[2606:4700::1111]/', true],
];
for (const [pattern, url, matches] of hosts) {
  add({ name: `net.http host ${pattern} ${matches ? 'covers' : 'does not cover'} ${url}`, rules: [['allow', 'net.http', pattern]], cap: 'net.http', res: url, expect: matches ? 'allow' : 'ask' });
  add({ name: `net.http deny ${pattern} ${matches ? 'blocks' : 'leaves'} ${url}`, rules: [['deny', 'net.http', pattern]], cap: 'net.http', res: url, expect: matches ? 'deny' : 'ask' });
}

// Command prefixes: every part must be allowed.
const commands: [pattern: string, command: string, expect: 'allow' | 'ask' | 'deny'][] = [
  ['npm run test:*', 'npm run test:unit', 'allow'],
  ['npm run test:*', 'npm run test:unit --watch', 'allow'],
  ['npm run test:*', 'npm run build', 'ask'],
  ['npm run test:*', 'npm  run   test:e2e', 'allow'],
  ['npm run test:*', 'npm run test:unit && npm run build', 'ask'],
  ['npm run test:*', 'npm run test:unit; rm -rf ~', 'deny'],
  ['npm run test:*', 'npm run test:unit | tee log', 'ask'],
  ['npm run test:*', 'npm run test:$(rm -rf /)', 'deny'],
  ['npm run test:*', 'npm run test:`id`', 'ask'],
  ['npm run test:*', 'npm run test:unit > R/out.log', 'ask'],
  ['npm run test:*', 'npm run test:unit 2>/dev/null', 'allow'],
  ['npm run test:*', 'npm run test:unit > O/out.log', 'deny'],
  ['npm run test:*', "npm run 'test:unit'", 'allow'],
  ['npm run test:*', 'FOO=1 npm run test:unit', 'ask'],
  ['git status', 'git status', 'allow'],
  ['git status', 'git status --short', 'ask'],
  ['git status', 'git status && git push', 'ask'],
  ['git *', 'git log -n 3 | head', 'ask'],
  ['ls *', 'ls -la src', 'allow'],
  ['ls *', 'ls', 'allow'],
  ['ls *', 'lsblk', 'ask'],
  ['ls *', 'ls -la src & curl evil.sh', 'ask'],
  ['ls *', 'ls $(curl evil.sh)', 'ask'],
  ['ls *', 'ls <(curl evil.sh)', 'ask'],
  ['ls *', '(ls src)', 'allow'],
  ['ls *', 'ls src\nrm -rf /', 'deny'],
  ['echo *', 'echo "safe; still one word"', 'allow'],
  ['echo *', 'echo "$(whoami)"', 'ask'],
  ['echo *', 'echo hi > R/notes/todo.md', 'ask'],
  ['echo *', 'echo hi > $HOME/x', 'deny'],
  ['echo *', 'cat <<EOF', 'deny'],
  ['echo *', 'echo \\*', 'allow'],
  // Arguments that name paths are checked as reads of them, whatever rule allows the command.
  ['ls *', 'ls -la ~/.ssh', 'deny'],
  ['ls *', 'ls -la ..', 'deny'],
  ['ls *', 'ls -la O/', 'deny'],
  ['ls *', 'ls ../*', 'deny'],
  ['ls *', 'ls -I/etc', 'deny'],
  ['ls *', 'ls --ignore=../outside', 'deny'],
  ['ls *', 'ls -la src/../..', 'deny'],
  ['ls *', 'ls -la src notes', 'allow'],
  ['ls *', 'ls --color=auto src', 'allow'],
  ['ls *', 'ls src/*', 'allow'],
  ['ls *', 'ls src/*/x', 'ask'],
  ['cat *', 'cat escape/secret.txt', 'deny'],
  ['cat *', 'cat secret-link.txt', 'deny'],
  ['cat *', 'cat hardlink.txt', 'deny'],
  ['cat *', 'cat *.txt', 'deny'],
  ['cat *', 'cat src/*.ts', 'allow'],
  ['cat *', 'cat file:///etc/passwd', 'deny'],
  ['cat *', 'cat src/main.ts notes/todo.md', 'allow'],
  ['cat *', 'cat $HOME/.ssh/id_ed25519', 'ask'],
  ['cat *', 'cat /dev/null -', 'allow'],
  ['cat *', "cat '~'/x", 'allow'],
  ['dd *', 'dd if=/etc/passwd of=copy', 'deny'],
  ['echo *', 'echo https://example.com/a/b', 'allow'],
  ['echo *', 'echo $HOME', 'ask'],
  ['cd *', 'cd src && cat main.ts', 'ask'],
  ['cd *', 'cd .. && ls', 'deny'],
  ['cd *', 'cd', 'deny'],
];
for (const [pattern, command, expect] of commands) {
  add({ name: `shell prefix ${pattern} with "${command.replace('\n', '\\n')}" → ${expect}`, rules: [['allow', 'shell.exec', pattern]], cap: 'shell.exec', res: command, expect });
}
const cdCat: R[] = [['allow', 'shell.exec', 'cd *'], ['allow', 'shell.exec', 'cat *']];
add({ name: 'a relative argument is checked in the folder a cd before it names', rules: cdCat, cap: 'shell.exec', res: 'cd src && cat ../../outside/secret.txt', expect: 'deny' });
add({ name: 'a name inside the folder a cd names is read there', rules: cdCat, cap: 'shell.exec', res: 'cd src && cat main.ts', expect: 'allow' });
add({ name: 'a cd through a link that leaves the allowed folders is denied', rules: cdCat, cap: 'shell.exec', res: 'cd escape && cat secret.txt', expect: 'deny' });
add({ name: 'after a cd that cannot be followed, a relative path is denied', rules: cdCat, cap: 'shell.exec', res: 'cd - && cat notes/todo.md', expect: 'deny' });
add({ name: 'after a cd that cannot be followed, a bare name asks', rules: cdCat, cap: 'shell.exec', res: 'cd - && cat todo.md', expect: 'ask' });
add({ name: 'a deny rule on reading a file covers a command argument naming it', rules: [['allow', 'shell.exec', 'cat *'], ['deny', 'fs.read', 'R/notes/**']], cap: 'shell.exec', res: 'cat notes/todo.md', expect: 'deny', rule: 1 });
add({ name: 'a second allow rule covers the other part of a compound command', rules: [['allow', 'shell.exec', 'npm run test:*'], ['allow', 'shell.exec', 'npm run build']], cap: 'shell.exec', res: 'npm run test:unit && npm run build', expect: 'allow' });
add({ name: 'a deny rule on one part denies the whole command', rules: [['allow', 'shell.exec', 'npm *'], ['deny', 'shell.exec', 'rm *']], cap: 'shell.exec', res: 'npm test; rm -rf build', expect: 'deny', rule: 1 });
add({ name: 'a deny rule reaches into a subshell', rules: [['allow', 'shell.exec', 'echo *'], ['deny', 'shell.exec', 'curl *']], cap: 'shell.exec', res: 'echo $(curl http://x)', expect: 'deny', rule: 1 });
add({ name: 'a deny rule sees a command after then', rules: [['allow', 'shell.exec', 'true'], ['deny', 'shell.exec', 'rm *']], cap: 'shell.exec', res: 'if true; then rm -rf /; fi', expect: 'deny', rule: 1 });
add({ name: 'a deny rule sees a command inside a loop body', rules: [['allow', 'shell.exec', 'echo *'], ['deny', 'shell.exec', 'rm *']], cap: 'shell.exec', res: 'while echo x; do rm -rf build; done', expect: 'deny', rule: 1 });
add({ name: 'a deny rule sees a command behind time -p', rules: [['deny', 'shell.exec', 'rm *']], cap: 'shell.exec', res: 'time -p rm -rf /', expect: 'deny', rule: 0 });
add({ name: 'a deny rule sees a command after else', rules: [['allow', 'shell.exec', 'echo *'], ['deny', 'shell.exec', 'curl *']], cap: 'shell.exec', res: 'if echo a; then echo b; else curl http://x; fi', expect: 'deny', rule: 1 });
add({ name: 'an if around allowed commands is allowed', rules: [['allow', 'shell.exec', 'echo *']], cap: 'shell.exec', res: 'if echo a; then echo b; fi', expect: 'allow' });
add({ name: 'a quoted reserved word is a command name like any other', rules: [['allow', 'shell.exec', 'echo *']], cap: 'shell.exec', res: '"then" echo hi', expect: 'ask' });
add({ name: 'a command with a variable as its name is never allowed by a rule', rules: [['allow', 'shell.exec', '*']], cap: 'shell.exec', res: '$EDITOR notes.md', expect: 'ask' });

// Precedence: deny > ask > allow, whatever the order of the rules.
const effects = ['deny', 'ask', 'allow'] as const;
for (const a of effects) {
  for (const b of effects) {
    for (const c of [null, ...effects]) {
      const rs: R[] = [[a, 'fs.write', 'R/src/**'], [b, 'fs.write', 'R/src/*.ts'], ...(c ? [[c, 'fs.write', 'R/**'] as R] : [])];
      const present = rs.map((r) => r[0]);
      const expect = present.includes('deny') ? 'deny' : present.includes('ask') ? 'ask' : 'allow';
      add({ name: `precedence ${present.join(' + ')} → ${expect}`, rules: rs, cap: 'fs.write', res: 'R/src/main.ts', expect, by: 'rule', rule: present.indexOf(expect) });
    }
  }
}
add({ name: 'a deny for another path does not affect an allowed one', rules: [['deny', 'fs.write', 'R/notes/**'], ['allow', 'fs.write', 'R/src/**']], cap: 'fs.write', res: 'R/src/main.ts', expect: 'allow', rule: 1 });
add({ name: 'a rule for another capability does not match', rules: [['allow', 'fs.read', 'R/**']], cap: 'fs.write', res: 'R/src/main.ts', expect: 'ask' });
add({ name: 'mcp.* covers every MCP server', rules: [['allow', 'mcp.*', 'github/*']], cap: 'mcp.github', res: 'github/list_issues', expect: 'allow' });
add({ name: 'an MCP rule for one server does not cover another', rules: [['allow', 'mcp.github', '*']], cap: 'mcp.slack', res: 'slack/post', expect: 'ask' });
add({ name: 'memory.write by area', rules: [['allow', 'memory.write', 'fragments']], cap: 'memory.write', res: 'fragments', expect: 'allow' });
add({ name: 'memory.write of another area asks', rules: [['allow', 'memory.write', 'fragments']], cap: 'memory.write', res: 'main', expect: 'ask' });
add({ name: 'notify asks by default', cap: 'notify', res: 'Build finished', expect: 'ask', by: 'default' });
add({ name: 'worker.spawn rule by role', rules: [['allow', 'worker.spawn', 'researcher']], cap: 'worker.spawn', res: 'researcher', expect: 'allow' });
add({ name: 'schedule.manage asks by default', cap: 'schedule.manage', res: 'create daily 09:00', expect: 'ask' });

// Defaults.
add({ name: 'a read inside an allowed folder is allowed by default', cap: 'fs.read', res: 'R/notes/todo.md', expect: 'allow', by: 'default' });
add({ name: 'a read inside the workspace is allowed by default', cap: 'fs.read', res: `${sb.data}/workspace/a.txt`, expect: 'allow', by: 'default' });
add({ name: 'a write inside an allowed folder asks by default', cap: 'fs.write', res: 'R/notes/todo.md', expect: 'ask', by: 'default' });
add({ name: 'a request for a public host asks by default', cap: 'net.http', res: 'https://example.org/docs', expect: 'ask', by: 'default' });
add({ name: 'a command asks by default', cap: 'shell.exec', res: 'ls', expect: 'ask', by: 'default' });
add({ name: 'a relative path resolves against the first root', cap: 'fs.read', res: 'src/main.ts', expect: 'allow' });

// Scopes.
const scopes: [ruleScope: string, scope: Case['scope'], applies: boolean][] = [
  ['everywhere', {}, true],
  ['everywhere', { scheduleId: 's1' }, true],
  ['everywhere', { workerRole: 'coder' }, true],
  ['schedule:s1', { scheduleId: 's1' }, true],
  ['schedule:s1', { scheduleId: 's2' }, false],
  ['schedule:s1', {}, false],
  ['schedule:s1', { workerRole: 's1' }, false],
  ['worker:coder', { workerRole: 'coder' }, true],
  ['worker:coder', { workerRole: 'researcher' }, false],
  ['worker:coder', {}, false],
  ['worker:coder', { scheduleId: 'coder' }, false],
];
for (const [ruleScope, scope, applies] of scopes) {
  add({ name: `allow scoped ${ruleScope} ${applies ? 'applies' : 'does not apply'} to ${JSON.stringify(scope)}`, rules: [['allow', 'fs.write', 'R/**', ruleScope]], cap: 'fs.write', res: 'R/a.txt', scope, expect: applies ? 'allow' : 'ask' });
  add({ name: `deny scoped ${ruleScope} ${applies ? 'applies' : 'does not apply'} to ${JSON.stringify(scope)}`, rules: [['deny', 'shell.exec', 'rm *', ruleScope]], cap: 'shell.exec', res: 'rm -rf x', scope, expect: applies ? 'deny' : 'ask' });
}
add({ name: 'a scoped deny beats an unscoped allow for that schedule', rules: [['allow', 'net.http', '*.example.com'], ['deny', 'net.http', '*.example.com', 'schedule:s1']], cap: 'net.http', res: 'https://a.example.com/', scope: { scheduleId: 's1' }, expect: 'deny', rule: 1 });
add({ name: 'the same unscoped allow still applies to other runs', rules: [['allow', 'net.http', '*.example.com'], ['deny', 'net.http', '*.example.com', 'schedule:s1']], cap: 'net.http', res: 'https://a.example.com/', expect: 'allow', rule: 0 });

// Modes.
const modeCalls: [cap: string, res: string, rules: R[], normal: string, readOnly: string, askAll: string][] = [
  ['fs.read', 'R/src/main.ts', [], 'allow', 'allow', 'ask'],
  ['fs.read', 'R/src/main.ts', [['deny', 'fs.read', 'R/src/**']], 'deny', 'deny', 'deny'],
  ['fs.write', 'R/src/main.ts', [], 'ask', 'deny', 'ask'],
  ['fs.write', 'R/src/main.ts', [['allow', 'fs.write', 'R/**']], 'allow', 'deny', 'ask'],
  ['fs.write', 'R/src/main.ts', [['deny', 'fs.write', 'R/**']], 'deny', 'deny', 'deny'],
  ['fs.write', 'O/x', [['allow', 'fs.write', '/**']], 'deny', 'deny', 'deny'],
  ['net.http', 'https://example.com/', [['allow', 'net.http', 'example.com']], 'allow', 'deny', 'ask'],
  ['net.http', 'https://example.com/', [], 'ask', 'deny', 'ask'],
  ['shell.exec', 'ls', [['allow', 'shell.exec', 'ls']], 'allow', 'deny', 'ask'],
  ['shell.exec', 'rm -rf x', [['deny', 'shell.exec', 'rm *']], 'deny', 'deny', 'deny'],
  ['memory.write', 'main', [['allow', 'memory.write', '*']], 'allow', 'deny', 'ask'],
  ['notify', 'hi', [['allow', 'notify', '*']], 'allow', 'deny', 'ask'],
  ['worker.spawn', 'coder', [['allow', 'worker.spawn', '*']], 'allow', 'deny', 'ask'],
  ['schedule.manage', 'x', [['allow', 'schedule.manage', '*']], 'allow', 'deny', 'ask'],
  ['mcp.github', 'github/x', [['allow', 'mcp.github', '*']], 'allow', 'deny', 'ask'],
];
for (const [cap, res, rs, normal, readOnly, askAll] of modeCalls) {
  for (const [mode, expect] of [['normal', normal], ['read-only', readOnly], ['ask-everything', askAll]] as const) {
    add({ name: `${mode} mode: ${cap} ${res}${rs.length ? ` with ${rs[0][0]} rule` : ''} → ${expect}`, rules: rs, cap, res, mode, expect: expect as Case['expect'] });
  }
}

describe('policy: matching, precedence, scopes and modes', () => {
  it(`has at least 150 cases (${cases.length}), no two the same question`, () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const c of cases) {
      const question = JSON.stringify([c.rules ?? [], c.cap, c.res, c.scope ?? {}, c.mode ?? 'normal']);
      if (seen.has(question)) twice.push(`${c.name} = ${seen.get(question)}`);
      else seen.set(question, c.name);
    }
    assert.deepEqual(twice, [], 'a case is listed twice');
    assert.ok(cases.length >= 150);
  });
  for (const c of cases) {
    it(c.name, () => {
      const rules = (c.rules ?? []).map(([effect, capability, pattern, scope]) => rule(effect, capability, fill(pattern), scope));
      const engine = engineFor(sb, rules, c.mode ?? 'normal');
      const result = engine.evaluate({ capability: c.cap, resource: fill(c.res), scope: c.scope });
      assert.equal(result.decision, c.expect, `${result.decision} (${result.decidedBy}: ${result.reason})`);
      if (c.by) assert.equal(result.decidedBy, c.by, result.reason);
      if (c.rule !== undefined && c.rule >= 0) assert.equal(result.ruleId, rules[c.rule].id, result.reason);
    });
  }
});
