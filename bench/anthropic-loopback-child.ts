// The loopback Anthropic server (tests/support, the Messages API wire format the real SDK reads) in a
// process of its own, as the real API is remote: the process under measurement spends nothing on
// serving its requests, and the server's own turns wait for nothing in that process. Run with an
// IPC channel (child_process.fork); used by bench/suites/workers.ts.
//
// Every `POST /v1/messages` is answered with a short stream ending in a valid result envelope, and
// its arrival recorded under the text of its last user message (a worker's task, a chat turn's text):
// `process.hrtime` in ms, the clock every process on the machine shares (CLOCK_MONOTONIC on Linux),
// and this process's CPU time then.
//
// Messages from the parent → replies:
//   {type: 'clock'}    → {type: 'clock', at}            this process's clock now (to check it is shared)
//   {type: 'take'}     → {type: 'arrivals', arrivals}   [key, at, cpuMs][] since the last take, cleared
//   {type: 'cpu'}      → {type: 'cpu', ms, connections} this process's CPU time so far, connections opened so far
import { AnthropicLoopback, type ScriptedReply } from '../tests/support/index.js';

const nowMs = () => Number(process.hrtime.bigint()) / 1e6;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

const send = (message: unknown) => process.send!(message);
if (!process.send) throw new Error('run this with an IPC channel (child_process.fork)');

let arrivals: [string, number, number][] = [];
const reply: ScriptedReply = { kind: 'stream', chunks: ['{"summary": "ok"}'], usage: { input: 50, output: 5 } };
const server = await AnthropicLoopback.start();
server.respond((body) => {
  const at = nowMs();
  const messages = (body as { messages?: { role: string; content: unknown }[] })?.messages ?? [];
  const last = messages.filter((m) => m.role === 'user' && typeof m.content === 'string').at(-1)?.content;
  arrivals.push([typeof last === 'string' ? last : '', at, cpuMs()]);
  // The server keeps nothing else per request: a bench sends thousands.
  server.requests.length = 0;
  return reply;
});

process.on('message', (message: { type: string }) => {
  if (message.type === 'clock') send({ type: 'clock', at: nowMs() });
  else if (message.type === 'take') {
    send({ type: 'arrivals', arrivals });
    arrivals = [];
  } else if (message.type === 'cpu') send({ type: 'cpu', ms: cpuMs(), connections: server.connectionsOpened });
});
// The parent gone (its IPC channel closed): stop.
process.on('disconnect', () => void server.close().then(() => process.exit(0)));
send({ type: 'ready', url: server.url });
