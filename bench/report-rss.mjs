// Preloaded into a benchmarked process (node --import): reports its peak resident memory at exit.
import { writeSync } from 'node:fs';

process.on('exit', () => writeSync(2, `RSS_KB ${process.resourceUsage().maxRSS}\n`));
