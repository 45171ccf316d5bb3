/** MCP servers: the client manager, tools bridged as `mcp__<server>__<tool>`, pinned tool definitions. */
export { createMcpModule, type McpModule, type McpModuleDeps, type McpOptions } from './module.js';
export { bridgedToolName } from './bridge.js';
export { parseImport, isSecretEnv, toServerName } from './config.js';
export { normalizeToolResult, MCP_RESULT_MAX_CHARS } from './results.js';
export { definitionHash, diffDefinitions } from './pinning.js';
