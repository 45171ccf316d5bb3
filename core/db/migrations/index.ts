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

/** Every migration in order. A new one goes at the end with the next free multiple of 10 (0085 took a gap: it came after 0090 and 0100 were taken). */
export const MIGRATIONS: readonly Migration[] = [m0010, m0020, m0030, m0040, m0050, m0060, m0070, m0080, m0085, m0090, m0100];
