#!/usr/bin/env node
// The `agent-blob` command. Plain JS so it runs without a build: tsx loads the TypeScript core.
import { register } from 'tsx/esm/api';

// Load the large dependencies before tsx hooks every import: each of their hundreds of internal
// modules would otherwise take a round trip through the loader hooks, which costs about a second
// of start-up. Imported later from TypeScript, they come from the module cache.
// The host starts listening without the Anthropic SDK and loads it right after (one turn or probe
// of the other commands needs it at once).
const preload = ['zod', 'ws', 'ollama', 'better-sqlite3', 'sqlite-vec', 'html-to-text', 'picomatch', 'ipaddr.js'];
if (process.argv[2] !== 'host') preload.push('@anthropic-ai/sdk');
await Promise.all(
  preload.map((name) =>
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
