// A host whose chat turn has started two workers that stream slowly, for the SIGKILL test:
// `node --import tsx workers-child.ts DIR`. Prints one JSON line with its address and the chat run id.
import { startHost } from '../../core/host/index.js';
import { createMemorySecretStore } from '../../core/secrets/index.js';
import { endWithParent } from '../support/processes.js';

endWithParent();

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: workers-child.ts DATA_DIR');
const host = await startHost({ dataDir, rendererDir: null, secrets: createMemorySecretStore(), deltaWindowMs: 16 });
await host.core.gateway.call('permissions.rules.add', { effect: 'allow', capability: 'worker.spawn', pattern: '*' });
const chat = await host.core.gateway.call('chat.send', { text: 'start two workers' });
process.stdout.write(`${JSON.stringify({ wsUrl: host.wsUrl, pid: process.pid, chat: chat.runId })}\n`);
