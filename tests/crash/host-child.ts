// A host in its own process for the crash and shutdown tests: `node --import tsx host-child.ts DIR`.
// Prints one JSON line with its addresses once it listens; providers come from the environment.
import { startHost } from '../../core/host/index.js';
import { createMemorySecretStore } from '../../core/secrets/index.js';
import { endWithParent } from '../support/processes.js';

endWithParent();

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: host-child.ts DATA_DIR');
const host = await startHost({ dataDir, rendererDir: null, secrets: createMemorySecretStore(), deltaWindowMs: 16 });
process.stdout.write(`${JSON.stringify({ wsUrl: host.wsUrl, url: host.url, pid: process.pid })}\n`);
