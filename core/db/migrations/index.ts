import type { Migration } from '../types.js';
import { migration as m0010 } from './0010-events.js';
import { migration as m0020 } from './0020-runs-timeline.js';
import { migration as m0030 } from './0030-settings.js';
import { migration as m0040 } from './0040-memory.js';
import { migration as m0050 } from './0050-permissions.js';
import { migration as m0060 } from './0060-agent.js';
import { migration as m0070 } from './0070-timeline-search.js';
import { migration as m0080 } from './0080-schedules.js';
import { migration as m0085 } from './0085-threads.js';
import { migration as m0090 } from './0090-mcp-skills.js';
import { migration as m0100 } from './0100-workers.js';
import { migration as m0110 } from './0110-timeline-thread-pages.js';
import { migration as m0120 } from './0120-attachments.js';
import { migration as m0130 } from './0130-compaction-threads.js';
import { migration as m0140 } from './0140-memory-vocabulary.js';
import { migration as m0150 } from './0150-event-deltas.js';

/**
 * Every migration in order. A new one takes the next free multiple of 10; one that must sit between
 * two others takes a number in the gap (0085). Databases record each step they ran, so a step that
 * lands below one they already have still runs on them.
 */
export const MIGRATIONS: readonly Migration[] = [m0010, m0020, m0030, m0040, m0050, m0060, m0070, m0080, m0085, m0090, m0100, m0110, m0120, m0130, m0140, m0150];
