import { resolve } from 'node:path';
import { EXIT, type CommandGroup } from '../types.js';

export const backupGroup: CommandGroup = {
  name: 'backup',
  summary: 'Copy the database while the app runs.',
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
        else ctx.io.stdout(`backed up to ${result.path} (${result.bytes} bytes, schema ${result.schemaVersion}, integrity ${result.integrity})\n`);
        return EXIT.ok;
      },
    },
  ],
};
