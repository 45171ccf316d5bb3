import type { EventLog } from '../events/index.js';
import type { CapabilityModule } from '../modules/index.js';
import type { Logger } from '../util/index.js';
import { logRunEvents } from './run-log.js';

/** Logs: a line for each step of every run, written from the event log as it commits. */
export function createLogsModule(deps: { log: EventLog; logger: Logger }): CapabilityModule {
  let unsubscribe: (() => void) | null = null;
  return {
    name: 'logs',
    start() {
      unsubscribe = logRunEvents(deps.log, deps.logger);
    },
    stop() {
      unsubscribe?.();
      unsubscribe = null;
    },
  };
}
