import { resolve } from 'node:path';
import { dataPaths, restoreDatabase } from '../../../datadir/index.js';
import { EXIT, type CommandGroup } from '../types.js';

export const backupGroup: CommandGroup = {
  name: 'backup',
  summary: 'Copy the database while the app runs; put a copy back while it is stopped.',
  commands: [
    {
      name: 'backup',
      params: 'FILE',
      summary: 'Write a consistent copy of the database to FILE (a new file), checked with integrity_check',
      async run(ctx) {
        const [file] = ctx.args;
        if (!file || ctx.args.length > 1) {
          ctx.io.stderr('usage: agent-blob backup FILE\n');
          return EXIT.usage;
        }
        // Resolved here: the running app may have another working folder than this terminal.
        const client = await ctx.connect();
        const result = await client.call('system.backup', { path: resolve(file) });
        if (ctx.json) ctx.io.stdout(`${JSON.stringify(result)}\n`);
        else ctx.io.stdout(`backed up to ${result.path} (${result.bytes} bytes${result.compressed ? ', gzip-compressed' : ''}, schema ${result.schemaVersion}, integrity ${result.integrity})\n`);
        return EXIT.ok;
      },
    },
    {
      name: 'restore',
      params: 'FILE',
      summary: 'Replace the database with the backup FILE while the app is stopped; the current one is kept aside',
      async run(ctx) {
        const [file] = ctx.args;
        if (!file || ctx.args.length > 1) {
          ctx.io.stderr('usage: agent-blob restore FILE\n');
          return EXIT.usage;
        }
        // Never through the running app: a database is only swapped while nothing has it open.
        const result = await restoreDatabase(dataPaths(ctx.dataDir), resolve(file), Date.now());
        if (ctx.json) {
          ctx.io.stdout(`${JSON.stringify(result)}\n`);
        } else {
          ctx.io.stdout(`restored ${result.from} (${result.bytes} bytes, schema ${result.schemaVersion}, ${result.head} events)\n`);
          ctx.io.stdout(result.keptAside ? `the database it replaced is kept at ${result.keptAside}\n` : 'there was no database to replace\n');
        }
        return EXIT.ok;
      },
    },
  ],
};
