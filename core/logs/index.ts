/** Logs: the lines written about every run, and reading them back (`agent-blob logs`). */
export { LOG_FILE, followLogs, logFiles, matchesFilter, parseLogLine, readLogs, readLogsWithCursor, type LogCursor, type LogEntry, type LogFilter } from './read.js';
export { logLineFor, logRunEvents } from './run-log.js';
export { createLogsModule } from './module.js';
