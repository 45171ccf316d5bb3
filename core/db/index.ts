export { openDatabase, type DatabaseInfo, type OpenDatabaseOptions } from './open.js';
export { MIGRATIONS } from './migrations/index.js';
export type { Migration, ReadableDB, ReadStatement, WritableDB } from './types.js';
