/** Built-in tools and the tool interface other capabilities implement. */
export * from './types.js';
export { ToolRegistry, type ToolsChange } from './registry.js';
export { recordedToolSpec, sameAsRecorded, toolFromRecordedSpec, type RecordedToolSpec } from './recorded.js';
export { argsSchemaFor, compileInputSchema, describeAjvErrors, type CompiledSchema } from './json-schema.js';
export { createToolsModule, type ToolsModule } from './module.js';
export { resolveInsideRoots, absoluteFor } from './paths.js';
export { scrubbedEnv, COMMAND_OUTPUT_CAP, COMMAND_TIMEOUT_MS } from './run-command.js';
export { HTTP_MAX_BYTES, HTTP_TIMEOUT_MS } from './http-get.js';
export { BUILTIN_TOOLS, currentTimeTool, httpGetTool, listDirTool, notifyTool, readTextTool, runCommandTool, searchFilesTool, writeTextTool } from './builtin.js';
