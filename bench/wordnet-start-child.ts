// One first start, measured in a process of its own (the WordNet index is loaded once per process):
// `worker` starts a host core on a new data folder with no index anywhere, so it builds one on a
// worker thread; `main-thread` builds the same index on this thread (what a start did before, and
// the fallback where no worker build exists); `cached` starts a host core that reads the file built
// at install time. Prints one JSON line: the longest the event loop was held, and how long until
// WordNet was there. Run by bench/suites/wordnet-start.ts.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createCore } from '../core/app.js';
import { configureLexiconSource, whenLexiconReady } from '../core/memory/lexicon/index.js';
import { buildLexiconBytes, installedSource } from '../core/memory/lexicon/source.js';
import { createMemorySecretStore } from '../core/secrets/index.js';
import { silentLogger } from '../core/util/logger.js';
import { benchDir, nowMs } from './lib.js';

const mode = process.argv[2];
const dir = benchDir();
const delay = monitorEventLoopDelay({ resolution: 5 });
try {
  if (mode === 'idle') {
    delay.enable();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    delay.disable();
    console.log(JSON.stringify({ maxBlockMs: delay.max / 1e6, readyMs: 1000 }));
  } else if (mode === 'main-thread') {
    delay.enable();
    const started = nowMs();
    await buildLexiconBytes(installedSource());
    const readyMs = nowMs() - started;
    delay.disable();
    console.log(JSON.stringify({ maxBlockMs: delay.max / 1e6, readyMs }));
  } else {
    if (mode === 'worker') configureLexiconSource({ installedCache: false });
    const core = createCore({ dataDir: dir.path, owner: 'host', logger: silentLogger, secrets: createMemorySecretStore(), env: {} });
    // From the moment the host could answer: the start itself is the host-start suite's.
    delay.enable();
    const started = nowMs();
    await whenLexiconReady();
    const readyMs = nowMs() - started;
    delay.disable();
    await core.close();
    console.log(JSON.stringify({ maxBlockMs: delay.max / 1e6, readyMs }));
  }
} finally {
  dir.cleanup();
}
