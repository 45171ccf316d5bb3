import type { Projector } from '../events/index.js';
import type { Handlers } from '../gateway/index.js';
import type { AnyTool } from '../tools/index.js';

/**
 * What one capability contributes to the app. Every core folder that is a capability exports one
 * `createXModule(deps)` returning this (plus the functions other capabilities may call); `core/app.ts`
 * lists the modules in dependency order and nothing else.
 */
export interface CapabilityModule {
  /** Names the module in logs and in a start failure. */
  readonly name: string;
  /** The commands it answers. Every command of the contract has exactly one module answering it. */
  readonly handlers?: Partial<Handlers>;
  /** Projections the event log keeps in the appending transaction; registered before any module starts. */
  readonly projectors?: readonly Projector[];
  /** Tools it offers the agent: in the live registry from its start to its stop. */
  readonly tools?: readonly AnyTool[];
  /** Brings it to life once every module is built (timers, recovery, resumed work). Throw to abort the start. */
  start?(): void;
  /** The work it has in flight, as one promise that settles when that work has ended; null when it has none. */
  idle?(): Promise<void> | null;
  /** Ends its work; called in reverse start order, also when a later module failed to start. */
  stop?(): void | Promise<void>;
}
