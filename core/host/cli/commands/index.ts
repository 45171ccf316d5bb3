import type { CommandGroup } from '../types.js';
import { backupGroup } from './backup.js';
import { chatGroup } from './chat.js';
import { doctorGroup } from './doctor.js';
import { hostGroup } from './host.js';
import { logsGroup } from './logs.js';
import { maintenanceGroup } from './maintenance.js';
import { mcpGroup } from './mcp.js';
import { memoryGroup } from './memory.js';
import { permissionsGroup } from './permissions.js';
import { runsGroup } from './runs.js';
import { scheduleGroup } from './schedule.js';
import { skillsGroup } from './skills.js';
import { timelineGroup } from './timeline.js';
import { workersGroup } from './workers.js';

/**
 * Every command group of `agent-blob`, in help order. A new group (memory, permissions, schedule)
 * is one file in this folder plus one line here.
 */
export const COMMAND_GROUPS: readonly CommandGroup[] = [
  chatGroup,
  runsGroup,
  timelineGroup,
  doctorGroup,
  hostGroup,
  memoryGroup,
  permissionsGroup,
  scheduleGroup,
  workersGroup,
  mcpGroup,
  skillsGroup,
  backupGroup,
  logsGroup,
  maintenanceGroup,
];
