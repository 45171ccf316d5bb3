export { loadVectorExtension, openDatabase, schemaIsCurrent, type DatabaseInfo, type OpenDatabaseOptions } from './open.js';
export { MIGRATIONS } from './migrations/index.js';
export { asWritable, type Migration, type ReadableDB, type ReadStatement, type WritableDB } from './types.js';
