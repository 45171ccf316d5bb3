// A host whose core runs a chat, a schedule and a worker run at once, for the SIGKILL test:
// `node --import tsx three-kinds-child.ts DIR`. Prints one JSON line with its address and the run ids.
import { agentExecutor } from '../../core/agent/index.js';
import type { RunKind } from '../../core/contract/index.js';
import { startHost } from '../../core/host/index.js';
import { createMemorySecretStore } from '../../core/secrets/index.js';
import { endWithParent } from '../support/processes.js';

endWithParent();

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: three-kinds-child.ts DATA_DIR');
const host = await startHost({ dataDir, rendererDir: null, secrets: createMemorySecretStore(), deltaWindowMs: 16 });
const { core } = host;
const background = (kind: RunKind & ('schedule' | 'worker')) =>
  core.queue.enqueue({
    kind,
    title: `a ${kind} run`,
    executor: () => agentExecutor(core.agent, { purpose: kind, userMessageSeq: 0, messages: [{ role: 'user', content: `the ${kind} task` }] }),
  }).runId;
const chat = await core.gateway.call('chat.send', { text: 'the chat question' });
const runs = { chat: chat.runId, schedule: background('schedule'), worker: background('worker') };
process.stdout.write(`${JSON.stringify({ wsUrl: host.wsUrl, pid: process.pid, runs })}\n`);
