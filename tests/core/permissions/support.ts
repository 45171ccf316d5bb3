import { mkdirSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import type { AppEvent } from '../../../core/contract/index.js';
import type { PermissionDecision, PermissionRequest } from '../../../core/permissions/index.js';
import { createMemorySecretStore } from '../../../core/secrets/index.js';
import { ManualClock } from '../../../core/util/clock.js';
import { createSequentialIds } from '../../../core/util/ids.js';
import { startTestCore, tempDir, type TestCore } from '../../support/index.js';

export interface GateCore extends TestCore {
  clock: ManualClock;
  root: string;
  notices: { requestId: string; title: string; body: string }[];
  /**
   * Starts a run whose only work is one gated call: the "tool" (recorded in `executed`) runs only on
   * allow, exactly as the agent loop does. Resolves once the run is waiting or decided.
   */
  gatedRun(request: Omit<PermissionRequest, 'runId'>, options?: { kind?: 'chat' | 'schedule' | 'worker' }): { runId: string; decision: Promise<PermissionDecision>; done: Promise<unknown> };
  executed: { runId: string; resource: string; afterSeq: number }[];
}

/** A core with an allowed root in a temp folder, a manual clock and a notification recorder. */
export async function startGateCore(options: { dataDir?: string; root?: string; redactKey?: string } = {}): Promise<GateCore & { rootDir: { cleanup(): void } }> {
  const rootDir = options.root ? { path: options.root, cleanup() {} } : tempDir('ab-perm-root-');
  const root = realpathSync(rootDir.path);
  mkdirSync(join(root, 'notes'), { recursive: true });
  const clock = new ManualClock();
  const notices: GateCore['notices'] = [];
  const t = await startTestCore({
    clock,
    ids: createSequentialIds(),
    allowedRoots: [root],
    resolveHost: async (host) => (host.endsWith('.internal-test') ? ['10.0.0.5'] : ['93.184.216.34']),
    notifier: { notify: (n) => void notices.push({ requestId: '', title: n.title, body: n.body }) },
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    ...(options.redactKey ? { secrets: createMemorySecretStore({ 'test.key': options.redactKey }) } : {}),
  });
  const executed: GateCore['executed'] = [];
  const gatedRun: GateCore['gatedRun'] = (request, runOptions = {}) => {
    const runId = t.core.log.transaction(() => t.core.runs.create({ kind: runOptions.kind ?? 'chat', title: `gated ${request.tool}` }));
    let resolveDecision!: (d: PermissionDecision) => void;
    const decision = new Promise<PermissionDecision>((r) => (resolveDecision = r));
    const done = t.core.runs.start(runId, async (ctx) => {
      const d = await t.core.permissions.gate.check({ ...request, runId }, ctx);
      resolveDecision(d);
      if (d.decision === 'allow' && !ctx.signal.aborted) executed.push({ runId, resource: d.resolved ?? request.resource, afterSeq: t.core.log.head() });
      return { status: 'done' };
    });
    return { runId, decision, done };
  };
  return Object.assign(t, { clock, root, notices, gatedRun, executed, rootDir }) as GateCore & { rootDir: { cleanup(): void } };
}

export function eventsOf<T extends AppEvent['type']>(events: AppEvent[], type: T): Extract<AppEvent, { type: T }>[] {
  return events.filter((e): e is Extract<AppEvent, { type: T }> => e.type === type);
}
