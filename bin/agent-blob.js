#!/usr/bin/env node
// The `agent-blob` command. Plain JS so it runs without a build: tsx loads the TypeScript core.
import { register } from 'tsx/esm/api';

// Load the large dependencies before tsx hooks every import: each of their hundreds of internal
// modules would otherwise take a round trip through the loader hooks, which costs about a second
// of start-up. Imported later from TypeScript, they come from the module cache.
await Promise.all(
  ['zod', '@anthropic-ai/sdk', 'ws', 'ollama', 'better-sqlite3', 'sqlite-vec', 'html-to-text', 'picomatch', 'ipaddr.js'].map((name) =>
    import(name).catch(() => undefined),
  ),
);
register();
const { main, processIO } = await import('../core/host/cli/main.ts');
const io = processIO();
const code = await main(process.argv.slice(2), io);
io.dispose();
// Exit once stdout has drained, so piped output is never cut short.
process.stdout.write('', () => process.exit(code));
