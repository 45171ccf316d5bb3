import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { HealthCheck } from '../../../contract/index.js';
import { EXIT, type CommandGroup } from '../types.js';

const MARK: Record<HealthCheck['status'], string> = { ok: 'ok  ', warn: 'warn', fail: 'FAIL' };

export const doctorGroup: CommandGroup = {
  name: 'doctor',
  summary: 'Health checks.',
  commands: [
    {
      name: 'doctor',
      summary: 'Check the data folder, free space, database, sqlite-vec, FTS5 and providers; exit 1 on a hard failure',
      options: { 'no-probe': { type: 'boolean', description: 'do not contact the providers, only check they are configured' } },
      async run(ctx) {
        const checks: HealthCheck[] = [];
        let ok = true;
        try {
          const client = await ctx.connect();
          const mode = ctx.connection();
          checks.push({
            name: 'connection',
            status: 'ok',
            detail: mode?.kind === 'app' ? `the running app (${mode.owner}, pid ${mode.pid}) at ${mode.url}` : `core started in this process on ${ctx.dataDir}`,
          });
          const report = await client.call('system.doctor', { probeProviders: !ctx.flags['no-probe'] });
          checks.push(...report.checks);
          const { DEFAULT_RENDERER_DIR } = await import('../../server.js');
          checks.push(
            existsSync(join(DEFAULT_RENDERER_DIR, 'index.html'))
              ? { name: 'ui', status: 'ok', detail: `built in ${DEFAULT_RENDERER_DIR}` }
              : { name: 'ui', status: 'warn', detail: 'not built: run npm run build:renderer (the window and the browser UI need it; the command line does not)' },
          );
          ok = report.ok;
        } catch (err) {
          checks.push({ name: 'connection', status: 'fail', detail: (err as Error).message });
          // The app will not start here: look at the folder and its database directly to say why.
          const { checkDataFolder } = await import('../../../system/index.js');
          checks.push(...checkDataFolder(ctx.dataDir));
          ok = false;
        }
        if (ctx.json) {
          ctx.io.stdout(`${JSON.stringify({ ok, dataDir: ctx.dataDir, checks })}\n`);
        } else {
          for (const check of checks) ctx.io.stdout(`${MARK[check.status]}  ${check.name}: ${check.detail}\n`);
          ctx.io.stdout(ok ? 'all hard checks passed\n' : 'a hard check failed\n');
        }
        return ok ? EXIT.ok : EXIT.failed;
      },
    },
  ],
};
