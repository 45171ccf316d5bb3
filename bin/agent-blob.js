#!/usr/bin/env node
// The `agent-blob` command. Plain JS so it runs without a build: tsx loads the TypeScript core.
import { register } from 'tsx/esm/api';

register();
const { main, processIO } = await import('../core/host/cli/main.ts');
const io = processIO();
const code = await main(process.argv.slice(2), io);
io.dispose();
// Exit once stdout has drained, so piped output is never cut short.
process.stdout.write('', () => process.exit(code));
