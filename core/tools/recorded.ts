import { z } from 'zod';
import { argsSchemaFor, compileInputSchema } from './json-schema.js';
import { ToolError, toolJsonSchema, type AnyTool } from './types.js';
import type { Capability } from '../permissions/index.js';

/** A tool as one run was offered it: what a replay needs once the tool has changed or gone. */
export interface RecordedToolSpec {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
  capability: string | null;
}

/** What is recorded of a tool with the run it was offered to. */
export function recordedToolSpec(tool: AnyTool): RecordedToolSpec {
  return { name: tool.name, description: tool.description, inputSchema: toolJsonSchema(tool), capability: tool.capability };
}

/** True when the tool offered now is the one recorded (same description, schema and capability). */
export function sameAsRecorded(tool: AnyTool, spec: RecordedToolSpec): boolean {
  return JSON.stringify(recordedToolSpec(tool)) === JSON.stringify(spec);
}

/**
 * A stand-in for a tool a recorded run was offered that is gone or has changed since (an MCP server
 * removed or updated): it checks arguments against the recorded JSON Schema, has the recorded
 * capability, and answers `resource` with what the run's calls touched, in order (`resources`).
 * It never runs: a replay takes results from the recording.
 */
export function toolFromRecordedSpec(spec: RecordedToolSpec, resources: string[]): AnyTool {
  const compiled = compileInputSchema(spec.inputSchema);
  return {
    name: spec.name,
    description: spec.description,
    jsonSchema: spec.inputSchema,
    args: compiled.ok ? argsSchemaFor(compiled.validate) : z.record(z.string(), z.unknown()),
    capability: spec.capability as Capability | null,
    resource: () => resources.shift() ?? '',
    run: () => Promise.reject(new ToolError('unavailable', `${spec.name} is a recorded tool: replay does not run it`)),
  };
}
