/** Time, ids and logs, injected everywhere so tests and replays control them. */
export { ManualClock, systemClock, type Clock, type TimerHandle } from './clock.js';
export { createIds, createSequentialIds, type Ids } from './ids.js';
export { createFileLogger, silentLogger, type LogLevel, type Logger } from './logger.js';
