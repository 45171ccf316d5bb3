import type { CapabilityModule } from '../modules/index.js';
import type { Logger } from '../util/index.js';
import { BUILTIN_TOOLS } from './builtin.js';
import { ToolRegistry } from './registry.js';

export interface ToolsModule extends CapabilityModule {
  /** The live registry every capability adds its tools to; runs take a snapshot at their start. */
  readonly registry: ToolRegistry;
}

/** The tool registry and the built-in tools (files, shell, HTTP, notify, time). */
export function createToolsModule(deps: { logger: Logger }): ToolsModule {
  return { name: 'tools', registry: new ToolRegistry(deps.logger), tools: BUILTIN_TOOLS };
}
