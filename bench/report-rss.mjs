// Preloaded into a benchmarked process (node --import): reports its peak resident memory and the CPU
// time it used (user + system, start included) at exit.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  const usage = process.resourceUsage();
  writeSync(2, `RSS_KB ${usage.maxRSS}\nCPU_US ${usage.userCPUTime + usage.systemCPUTime}\n`);
});
