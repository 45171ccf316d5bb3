// A core in its own process that parks one run on a permission request, prints it, and waits to be
// killed: `node --import tsx pending-child.ts DATA_DIR ROOT`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCore } from '../../../core/app.js';
import { createMemorySecretStore } from '../../../core/secrets/index.js';
import { silentLogger } from '../../../core/util/logger.js';
import { endWithParent } from '../../support/processes.js';

endWithParent();

const [dataDir, root] = process.argv.slice(2);
const core = createCore({ dataDir, logger: silentLogger, secrets: createMemorySecretStore(), env: {}, allowedRoots: [root], resolveHost: null });
const runId = core.log.transaction(() => core.runs.create({ kind: 'chat', title: 'will be killed' }));
const target = join(root, 'must-not-exist.txt');
void core.runs.start(runId, async (ctx) => {
  const decision = await core.permissions.gate.check({ capability: 'fs.write', resource: target, runId, tool: 'write_text', argsSummary: 'write' }, ctx);
  if (decision.decision === 'allow') writeFileSync(target, 'ran');
  return { status: 'done' };
});
const timer = setInterval(() => {
  const pending = core.permissions.pending();
  if (!pending.length) return;
  clearInterval(timer);
  process.stdout.write(`${JSON.stringify({ runId, requestId: pending[0].requestId, target })}\n`);
}, 5);
setInterval(() => {}, 1000);
