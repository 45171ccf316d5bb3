import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstatSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { AppEvent } from '../../core/contract/index.js';
import { createFileSecretStore } from '../../core/secrets/index.js';
import { makeSandbox, engineFor, rule, type Sandbox } from '../core/permissions/fixtures.js';
import { AnthropicLoopback, startTestCore, waitFor, lastChatRequest, type TestCore } from '../support/index.js';

/**
 * Random paths against every file tool and the path policy. A path is built from pieces that have
 * each escaped some program once: `..` and `.`, links out of the allowed folder (a folder, a file, `/`,
 * a dangling one), a hard link to a file outside, the data folder and its files, `~`, `file:` URLs,
 * Windows separators, NUL and control characters, direction overrides, and look-alikes of `.`, `/` and
 * letters (one-dot leader, fullwidth stop, fraction slash, Cyrillic е, a decomposed é). The rules allow
 * reading and writing everywhere and `cat`, `ls` and `echo`, so only the app's own floor stands
 * between the model and the disk.
 *
 * Whatever the model asks: no tool output carries a byte of a file outside the allowed folder or of the
 * data folder (each holds a canary), nothing outside the allowed folder changes, the data folder
 * gains no file the app did not make, and the database stays sound.
 */
const CANARY = 'CANARY-7f3e1d9b';
const KEY = `sk-ant-api03-${'Pr0p'.repeat(16)}-K3`;

function pieces(sb: Sandbox): string[] {
  return [
    '..', '.', '', 'notes', 'src', 'src-link', 'escape', 'slash', 'dangling', 'secret-link.txt', 'hardlink.txt', 'secret.txt', 'todo.md', 'outside', 'data', 'root',
    'agent-blob.sqlite', 'agent-blob.lock', 'secrets.json', 'workspace', 'logs', '.ssh', 'id_ed25519', 'etc', 'passwd',
    '\0', 'a\0b', '\n', '\u0007', '\u001b[2J', '\u202e', '\u2066', '\u200b', '..\u200b', '\u2024\u2024', '\uff0e\uff0e', '\u2025', '.\u0338', 'x\u2044..', '\u2215', '\uff0f',
    's\u0435cret.txt', 'caf\u00e9', 'cafe\u0301', '%2e%2e', '..%2f', '~', '~root', '*', '?', '[a]', '$HOME', '`id`', '$(id)',
    sb.root.split('/').pop()!,
  ];
}

function pathArb(sb: Sandbox): fc.Arbitrary<string> {
  const start = fc.constantFrom('', `${sb.root}/`, `${sb.outside}/`, `${sb.data}/`, `${sb.home}/`, `${sb.base}/`, '/', '~/', `file://${sb.root}/`, 'file:///', `${sb.root}\\`, '\\\\?\\', 'C:\\');
  const sep = fc.constantFrom('/', '/', '/', '//', '\\', '/./');
  const composed = fc
    .tuple(start, fc.array(fc.tuple(fc.constantFrom(...pieces(sb)), sep), { minLength: 1, maxLength: 6 }), fc.constantFrom('', '', '/', '\0', '.'))
    .map(([s, parts, end]) => s + parts.map(([p, d], i) => (i ? d : '') + p).join('') + end)
    .filter((p) => p.length > 0);
  // Short paths that name a way out directly, so each is tried often, not once in a thousand.
  const direct = fc
    .tuple(
      fc.constantFrom('', './', `${sb.root}/`, 'notes/../', 'src-link/../'),
      fc.constantFrom('hardlink.txt', 'secret-link.txt', 'escape/secret.txt', 'escape', 'slash/etc/hostname', 'dangling', '../outside/secret.txt', '../data/secrets.json', '../data/agent-blob.lock', '../data', '../home/.ssh/id_ed25519', 'notes/todo.md', 'src/main.ts', 'new/file.txt'),
    )
    .map(([a, b]) => a + b);
  return fc.oneof(direct, composed);
}

type Call = { name: string; arguments: Record<string, unknown> };

function callArb(sb: Sandbox): fc.Arbitrary<Call> {
  const path = pathArb(sb);
  const quoted = path.map((p) => `'${p.replaceAll("'", '')}'`);
  return fc.oneof(
    path.map((p) => ({ name: 'read_text', arguments: { path: p } })),
    fc.tuple(path, fc.nat(999)).map(([p, n]) => ({ name: 'write_text', arguments: { path: p, text: `probe ${n}` } })),
    path.map((p) => ({ name: 'list_dir', arguments: { path: p } })),
    fc.tuple(path, fc.constantFrom(CANARY.slice(0, 11), 'x', 'sk-ant', 'token')).map(([p, q]) => ({ name: 'search_files', arguments: { path: p, query: q } })),
    fc.tuple(fc.constantFrom('cat', 'ls -la', 'echo probe >', 'echo probe >>', 'cat -- ', 'ls -d'), fc.oneof(path, quoted)).map(([cmd, p]) => ({ name: 'run_command', arguments: { command: `${cmd} ${p}` } })),
    fc.tuple(path, fc.constantFrom('ls', 'cat *', 'cat ../*')).map(([p, cmd]) => ({ name: 'run_command', arguments: { command: cmd, cwd: p } })),
  );
}

/** Every file and link under `dir` with a hash of its content (or its target), skipping `skip`. */
function snapshot(dir: string, skip: (path: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (skip(p)) continue;
      const st = lstatSync(p);
      if (st.isSymbolicLink()) out.set(relative(dir, p), `link:${readlinkSync(p)}`);
      else if (st.isDirectory()) {
        out.set(relative(dir, p), 'dir');
        walk(p);
      } else out.set(relative(dir, p), createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(dir);
  return out;
}

describe('property: random paths never reach outside the allowed folder or into the data folder', () => {
  let sb: Sandbox;
  let t: TestCore;
  let anthropic: AnthropicLoopback;
  // The app's own files change as it runs; everything else in the data folder must not.
  const live = (p: string) => /agent-blob\.sqlite(-wal|-shm)?$|agent-blob\.lock$|[/\\](logs|cache|artifacts|workspace)$/.test(p);

  before(async () => {
    sb = makeSandbox();
    // Every file the model must never see holds the canary; the hard link in the root shares one.
    for (const file of [join(sb.outside, 'secret.txt'), join(sb.home, '.ssh', 'id_ed25519'), join(sb.data, 'agent-blob.db')]) writeFileSync(file, `${CANARY} ${file}\n`);
    anthropic = await AnthropicLoopback.start();
    t = await startTestCore({
      dataDir: sb.data,
      allowedRoots: [sb.root],
      secrets: createFileSecretStore(join(sb.data, 'secrets.json')),
      env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: anthropic.url, PATH: process.env.PATH, HOME: sb.home },
    });
    await t.client.call('settings.update', { anthropicApiKey: KEY });
    t.core.lock.setEndpoint({ url: 'http://127.0.0.1:9/', token: `${CANARY}-token` });
    for (const [effect, capability, pattern] of [
      ['allow', 'fs.read', '/**'],
      ['allow', 'fs.write', '/**'],
      ['allow', 'shell.exec', 'cat *'],
      ['allow', 'shell.exec', 'ls *'],
      ['allow', 'shell.exec', 'ls'],
      ['allow', 'shell.exec', 'echo *'],
    ] as const) {
      await t.client.call('permissions.rules.add', { effect, capability, pattern });
    }
  });
  after(async () => {
    await t?.close();
    await anthropic?.close();
    sb?.cleanup();
  });

  it('holds for random calls of read_text, write_text, list_dir, search_files and run_command through the real agent loop', async (ctx) => {
    const outsideBefore = snapshot(sb.base, (p) => p === sb.root || p.startsWith(`${sb.data}/`) || p === sb.data);
    const dataBefore = snapshot(sb.data, live);
    const seen = { calls: 0, ok: 0, refused: 0, asked: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(callArb(sb), { minLength: 1, maxLength: 6 }), async (calls) => {
        anthropic.script({ kind: 'stream', toolCalls: calls }, { kind: 'stream', chunks: ['done'] });
        const { runId } = await t.client.call('chat.send', { text: 'go' });
        // A call the floor cannot judge asks (a word with a variable in a command); nobody agrees.
        await waitFor(async () => {
          const current = await t.client.call('runs.get', { runId });
          if (['done', 'failed', 'cancelled'].includes(current.status)) return true;
          for (const request of (await t.client.call('permissions.pending', {})).requests) {
            await t.client.call('permissions.answer', { requestId: request.requestId, decision: 'deny' }).catch(() => undefined);
            seen.asked++;
          }
          return false;
        }, 'the run to end');
        await t.core.idle();
        const run = await t.client.call('runs.get', { runId });
        assert.equal(run.status, 'done', run.error ?? '');
        const completed = t.core.log
          .since(0, 1_000_000)
          .filter((e): e is Extract<AppEvent, { type: 'tool.completed' }> => e.type === 'tool.completed' && e.runId === runId);
        seen.calls += completed.length;
        for (const c of completed) {
          if (c.data.ok) seen.ok++;
          else seen.refused++;
        }
        // What the model was handed back: every tool result of the turn (its own calls it wrote itself).
        const handed = JSON.stringify((lastChatRequest(anthropic).body as { messages: { role: string }[] }).messages.filter((m) => m.role === 'user'));
        assert.equal(handed.includes(CANARY), false, `a tool handed the model a file it must not read: ${JSON.stringify(calls)}`);
        assert.equal(handed.includes(KEY.slice(12, 40)), false, `a tool handed the model the key: ${JSON.stringify(calls)}`);
        assert.deepEqual(snapshot(sb.base, (p) => p === sb.root || p.startsWith(`${sb.data}/`) || p === sb.data), outsideBefore, `something outside the allowed folder changed: ${JSON.stringify(calls)}`);
        assert.deepEqual(snapshot(sb.data, live), dataBefore, `the data folder changed: ${JSON.stringify(calls)}`);
      }),
      { numRuns: Number(process.env.PATH_PROPERTY_RUNS ?? 60), seed: 20261206, endOnFailure: true, includeErrorInReport: true },
    );
    ctx.diagnostic(`${seen.calls} tool calls: ${seen.ok} succeeded, ${seen.refused} refused or failed (${seen.asked} asked, each denied)`);
    // The property means something only if some calls reached the disk and some were refused.
    assert.ok(seen.ok >= 10, `only ${seen.ok} calls succeeded`);
    assert.ok(seen.refused >= 50, `only ${seen.refused} calls were refused`);
    const [{ integrity_check }] = t.core.db.prepare('PRAGMA integrity_check').all() as { integrity_check: string }[];
    assert.equal(integrity_check, 'ok');
    assert.ok(readFileSync(join(sb.data, 'secrets.json'), 'utf8').includes(KEY), 'the secret store is intact');
  });

  it('the path policy never allows a random path that resolves outside the allowed folders or into the data folder', () => {
    const engine = engineFor(sb, [rule('allow', 'fs.read', '/**'), rule('allow', 'fs.write', '/**')], 'normal', [sb.root]);
    let allowed = 0;
    fc.assert(
      fc.property(pathArb(sb), fc.constantFrom('fs.read', 'fs.write'), (path, capability) => {
        const decision = engine.evaluate({ capability, resource: path, cwd: sb.root });
        if (decision.decision !== 'allow') return;
        allowed++;
        const resolved = decision.resolved ?? '';
        assert.ok(resolved === sb.root || resolved.startsWith(`${sb.root}/`), `${JSON.stringify(path)} allowed as ${resolved}`);
        assert.ok(!resolved.startsWith(sb.data), `${JSON.stringify(path)} allowed into the data folder`);
        // eslint-disable-next-line no-control-regex -- control characters are what is looked for
        assert.equal(/[\0-\x1f\u202a-\u202e\u2066-\u2069]/.test(resolved), false, `${JSON.stringify(path)} allowed with a control character`);
        const st = (() => {
          try {
            return lstatSync(resolved);
          } catch {
            return null; // missing, or under a file (ENOTDIR): nothing there to reach
          }
        })();
        assert.ok(!st || st.isDirectory() || st.nlink === 1, `${JSON.stringify(path)} allowed on a file with other hard links`);
      }),
      { numRuns: 5000, seed: 20261206 },
    );
    assert.ok(allowed >= 100, `only ${allowed} random paths were allowed`);
  });
});
