// The soak's fault sections: random SIGKILLs of a host under mixed load, and malformed WebSocket
// frames against a running host. Both run the host in its own process (tests/crash/host-child.ts)
// with providers pointed at the loopback Anthropic server.
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { createCore } from '../core/app.js';
import { COMMAND_NAMES, ERROR_CODES, type Client } from '../core/contract/index.js';
import { connectWebSocket } from '../core/gateway/websocket-client.js';
import { createMemorySecretStore } from '../core/secrets/index.js';
import { silentLogger } from '../core/util/logger.js';
import { AnthropicLoopback } from '../tests/support/anthropic-server.js';
import type { ScriptedReply } from '../tests/support/script.js';
import { spawnUntilReady, type Spawned } from '../tests/crash/spawn.js';
import { benchDir, round } from './lib.js';

const CHILD = 'tests/crash/host-child.ts';
const KEY = 'sk-ant-soak-000000000000';

/** A deterministic random source, so a run can be repeated. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Slow streamed replies with a tool call first when the prompt asks: runs are in flight when the kill comes. */
function slowResponder(body: unknown): ScriptedReply {
  const messages = ((body as { messages?: { content: unknown }[] } | null)?.messages ?? []) as { content: unknown }[];
  const last = JSON.stringify(messages[messages.length - 1]?.content ?? '');
  if (last.includes('[time]') && !last.includes('tool_result')) return { kind: 'stream', toolCalls: [{ name: 'current_time', arguments: {} }] };
  return { kind: 'stream', chunks: Array.from({ length: 30 }, (_, i) => `word${i} `), delayMs: 10 };
}

function startHostProcess(dataDir: string, anthropicUrl: string): Promise<Spawned> {
  return spawnUntilReady(['--import', 'tsx', CHILD, dataDir], { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: anthropicUrl }, 120_000);
}

/**
 * `kills` times: start the host on one data folder, put mixed load on it (memory writes whose
 * acknowledgement is recorded, chat turns with a tool, an every-second schedule), SIGKILL it at a
 * random moment, then open the folder in this process (which recovers) and count what was lost.
 */
export async function sigkill(kills: number, seed = 1): Promise<Record<string, unknown>> {
  const rand = random(seed);
  const anthropic = await AnthropicLoopback.start();
  anthropic.respond(slowResponder);
  const dir = benchDir('agent-blob-soak-kill-');
  const acknowledged: string[] = [];
  let integrityFailures = 0;
  let lostAcknowledged = 0;
  let leftRunning = 0;
  let slotsFiredTwice = 0;
  let runsInterrupted = 0;
  let writes = 0;
  try {
    for (let k = 0; k < kills; k++) {
      const host = await startHostProcess(dir.path, anthropic.url);
      const client = connectWebSocket(String(host.ready.wsUrl), { heartbeatMs: 0 });
      let stop = false;
      const load: Promise<unknown>[] = [];
      try {
        if (k === 0) await client.call('schedules.add', { name: 'every second', prompt: 'tick', spec: { kind: 'interval', everySeconds: 1 }, notify: { onSuccess: false, onFailure: false } });
        // Memory writes, one after another, each counted once the host acknowledged it.
        let firstAck!: () => void;
        const acked = new Promise<void>((resolve) => (firstAck = resolve));
        const writing = (async () => {
          for (let i = 0; !stop; i++) {
            const text = `kill ${k} write ${i} ${Math.floor(rand() * 1e9)}`;
            await client.call('memory.add', { area: 'main', text });
            acknowledged.push(text);
            writes++;
            firstAck();
          }
        })().catch(() => {});
        load.push(writing);
        // Chat turns, some with a tool.
        load.push(
          (async () => {
            for (let i = 0; !stop; i++) {
              await client.call('chat.send', { text: i % 2 ? `[time] turn ${k}.${i}` : `turn ${k}.${i}` });
              await new Promise((resolve) => setTimeout(resolve, 100 + rand() * 300));
            }
          })().catch(() => {}),
        );
        // The kill comes under load: once this start has acknowledged a write (or its writes failed),
        // at a random moment after, so a slow machine does not turn the kills into kills at start.
        await Promise.race([acked, writing]);
        await new Promise((resolve) => setTimeout(resolve, rand() * 1300));
      } finally {
        host.child.kill('SIGKILL');
        await host.exited;
        stop = true;
        client.close();
        await Promise.allSettled(load);
      }

      // Before anything opens it for writing: is the file whole, and is every acknowledged write in it?
      const db = new Database(join(dir.path, 'agent-blob.sqlite'), { readonly: true });
      try {
        if (String(db.pragma('integrity_check', { simple: true })) !== 'ok') integrityFailures++;
        const stored = new Set((db.prepare('SELECT text FROM memories').all() as { text: string }[]).map((r) => r.text));
        lostAcknowledged = acknowledged.filter((t) => !stored.has(t)).length;
        slotsFiredTwice = (db.prepare('SELECT COUNT(*) AS n FROM (SELECT run_id FROM schedule_slots WHERE run_id IS NOT NULL GROUP BY schedule_id, slot_time HAVING COUNT(*) > 1)').get() as { n: number }).n;
      } finally {
        db.close();
      }
      // The next start recovers: nothing it finds may stay queued, running or waiting.
      const core = createCore({ dataDir: dir.path, logger: silentLogger, secrets: createMemorySecretStore(), env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: anthropic.url }, runSchedules: false });
      try {
        runsInterrupted += core.recoveredRuns.length;
        leftRunning = (core.db.prepare("SELECT COUNT(*) AS n FROM runs WHERE status IN ('queued', 'running', 'waiting')").get() as { n: number }).n;
      } finally {
        await core.close();
      }
      if (leftRunning || integrityFailures || lostAcknowledged) break;
      if ((k + 1) % 10 === 0) process.stderr.write(`soak: ${k + 1} kills, ${writes} acknowledged writes\n`);
    }
    return { kills, acknowledgedWrites: writes, runsInterruptedAndRecovered: runsInterrupted, integrityFailures, lostAcknowledged, leftRunning, slotsFiredTwice };
  } finally {
    await anthropic.close();
    dir.cleanup();
  }
}

/** One malformed frame and whether the host must answer it with the frame's id. */
type Frame = { payload: string | Buffer; id: number | null };

function malformedFrame(n: number, rand: () => number): Frame {
  const id = n + 1;
  const command = COMMAND_NAMES[Math.floor(rand() * COMMAND_NAMES.length)];
  switch (n % 10) {
    case 0:
      return { payload: `{"id":${id},"command":"${command}"`.slice(0, 1 + Math.floor(rand() * 30)), id: null };
    case 1:
      return { payload: JSON.stringify([id, command]), id: null };
    case 2:
      return { payload: JSON.stringify({ id, command: `${command}.nope` }), id };
    case 3:
      return { payload: JSON.stringify({ id, command, args: { [`zz_${Math.floor(rand() * 1e6)}`]: rand() } }), id };
    case 4:
      return { payload: JSON.stringify({ id, command, args: 'text' }), id };
    case 5:
      return { payload: Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 64) }, () => Math.floor(rand() * 256))), id: null };
    case 6:
      return { payload: `{"id":${id},"command":"runs.get","args":${'['.repeat(2000)}${']'.repeat(2000)}}`, id };
    case 7:
      return { payload: JSON.stringify({ id, command: 'runs.get', args: { runId: 'r'.repeat(50_000 + Math.floor(rand() * 200_000)) } }), id };
    case 8:
      return { payload: `{"id":${id},"command":"system.ping","args":{"__proto__":{"polluted":true}}}`, id };
    default:
      return { payload: JSON.stringify({ id: { nested: id }, command }), id: null };
  }
}

function rssMbOf(pid: number): number | null {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.replace(/\D+/g, '')) / 1024 : null;
  } catch {
    return null;
  }
}

/**
 * `frames` malformed frames, one at a time, against a running host: each must get a typed error
 * (with its id when it had a readable one) or a documented close; a frame with no answer within
 * 10 s is a silent drop; a host that exits is a crash. The host's resident memory is compared after
 * the first 200 frames and at the end.
 */
export async function fuzz(frames: number, seed = 2): Promise<Record<string, unknown>> {
  const rand = random(seed);
  const anthropic = await AnthropicLoopback.start();
  const dir = benchDir('agent-blob-soak-fuzz-');
  let host = await startHostProcess(dir.path, anthropic.url);
  let typedErrors = 0;
  let silentDrops = 0;
  let crashes = 0;
  let documentedCloses = 0;
  let wrongIds = 0;
  let rssAfterWarmup: number | null = null;
  const open = async (): Promise<WebSocket> => {
    const ws = new WebSocket(String(host.ready.wsUrl), { perMessageDeflate: false });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    return ws;
  };
  let ws = await open();
  try {
    for (let n = 0; n < frames; n++) {
      const frame = malformedFrame(n, rand);
      const reply = await new Promise<{ kind: 'reply'; data: Record<string, unknown> } | { kind: 'close'; code: number } | { kind: 'timeout' }>((resolve) => {
        const timer = setTimeout(() => done({ kind: 'timeout' }), 10_000);
        const onMessage = (data: Buffer) => done({ kind: 'reply', data: JSON.parse(data.toString()) as Record<string, unknown> });
        const onClose = (code: number) => done({ kind: 'close', code });
        const done = (r: Parameters<typeof resolve>[0]) => {
          clearTimeout(timer);
          ws.off('message', onMessage);
          ws.off('close', onClose);
          resolve(r);
        };
        ws.on('message', onMessage);
        ws.on('close', onClose);
        ws.send(frame.payload, { binary: Buffer.isBuffer(frame.payload) });
      });
      if (reply.kind === 'reply') {
        const error = reply.data.error as { code?: string } | undefined;
        if (reply.data.ok === false && error?.code && (ERROR_CODES as readonly string[]).includes(error.code)) typedErrors++;
        if (reply.data.id !== frame.id) wrongIds++;
      } else {
        if (host.child.exitCode !== null || host.child.signalCode !== null) {
          crashes++;
          host = await startHostProcess(dir.path, anthropic.url);
        } else if (reply.kind === 'close' && [1008, 1009].includes(reply.code)) {
          documentedCloses++;
        } else {
          silentDrops++;
        }
        ws.terminate();
        ws = await open();
      }
      if (n === 199) rssAfterWarmup = host.child.pid ? rssMbOf(host.child.pid) : null;
      if ((n + 1) % 2000 === 0) process.stderr.write(`soak: ${n + 1} malformed frames\n`);
    }
    // Still serving: a proper command on a new connection.
    const client: Client = connectWebSocket(String(host.ready.wsUrl), { heartbeatMs: 0 });
    const served = (await client.call('system.ping', {})).now > 0;
    client.close();
    const rssEnd = host.child.pid ? rssMbOf(host.child.pid) : null;
    return {
      frames,
      typedErrors,
      documentedCloses,
      silentDrops,
      crashes,
      answeredWithOtherId: wrongIds,
      servedAfterwards: served,
      rssAfter200FramesMb: rssAfterWarmup === null ? null : round(rssAfterWarmup),
      rssEndMb: rssEnd === null ? null : round(rssEnd),
      rssGrowthMb: rssAfterWarmup === null || rssEnd === null ? null : round(rssEnd - rssAfterWarmup),
    };
  } finally {
    ws.terminate();
    host.child.kill('SIGTERM');
    await host.exited;
    await anthropic.close();
    dir.cleanup();
  }
}
