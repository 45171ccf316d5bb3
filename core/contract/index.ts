/**
 * The contract between core and every client: commands, events, errors and the typed client.
 * This folder is the only part of core the renderer may import; it must stay free of Node APIs.
 */
export * from './errors.js';
export * from './paths.js';
export * from './runs.js';
export * from './events.js';
export * from './attachments.js';
export * from './timeline.js';
export * from './settings.js';
export * from './permissions.js';
export * from './memory.js';
export * from './agent.js';
export * from './providers.js';
export * from './schedules.js';
export * from './workers.js';
export * from './mcp.js';
export * from './skills.js';
export * from './maintenance.js';
export * from './commands.js';
export * from './protocol.js';
export * from './client.js';
export * from './bridge.js';
