import { COMMAND_NAMES } from '../contract/index.js';
import type { EventLog } from '../events/index.js';
import type { Gateway } from '../gateway/index.js';
import type { ToolRegistry } from '../tools/index.js';
import type { Logger } from '../util/index.js';
import type { CapabilityModule } from './module.js';

const SESSION_COMMANDS = new Set(['events.subscribe', 'events.unsubscribe', 'client.hello']);

/**
 * Builds the app out of capability modules: collects what each contributes, starts them in the order
 * they were added and stops them in reverse. A module that throws while the app is being built or
 * started stops every module already started, then `release` closes the database and the lock.
 */
export class ModuleHost {
  private readonly modules: CapabilityModule[] = [];
  private readonly started: CapabilityModule[] = [];
  private stopping: Promise<void> | null = null;
  /** How long each module's start took, ms, in start order (the log's "the app started" line carries it). */
  readonly startMs: Record<string, number> = {};

  constructor(private readonly release: () => void) {}

  /** Adds a module (in dependency order) and returns it, so the next ones can use its functions. */
  add<M extends CapabilityModule>(module: M): M {
    this.modules.push(module);
    return module;
  }

  list(): readonly CapabilityModule[] {
    return this.modules;
  }

  /**
   * Registers every projector, handler and tool, then starts the modules in order. Throws what the
   * failing module threw, after stopping the started ones and releasing the data folder.
   */
  start(deps: { log: EventLog; gateway: Gateway; tools: ToolRegistry; logger: Logger }): void {
    try {
      for (const m of this.modules) for (const projector of m.projectors ?? []) deps.log.addProjector(projector);
      for (const m of this.modules) if (m.handlers) deps.gateway.register(m.name, m.handlers);
      const missing = COMMAND_NAMES.filter((name) => !SESSION_COMMANDS.has(name) && !deps.gateway.handles(name));
      if (missing.length) throw new Error(`no module answers ${missing.join(', ')}`);
      for (const m of this.modules) {
        if (m.tools?.length) deps.tools.add(m.tools, m.name);
        this.started.push(m);
        const t0 = performance.now();
        m.start?.();
        this.startMs[m.name] = Math.round((performance.now() - t0) * 10) / 10;
      }
    } catch (err) {
      deps.logger.log('error', 'the app failed to start', { error: String((err as Error)?.stack ?? err) });
      this.abort(deps.tools);
      throw err;
    }
  }

  /** Resolves when no module has work in flight, however often finished work hands some to another. */
  async idle(): Promise<void> {
    for (;;) {
      const waits = this.started.map((m) => m.idle?.()).filter((w): w is Promise<void> => !!w);
      if (!waits.length) return;
      await Promise.allSettled(waits);
    }
  }

  /** Stops the started modules in reverse order, then releases the data folder. Safe to call twice. */
  stop(tools: ToolRegistry, logger: Logger, beforeRelease?: () => void): Promise<void> {
    this.stopping ??= (async () => {
      for (const m of [...this.started].reverse()) {
        try {
          await m.stop?.();
        } catch (err) {
          logger.log('error', 'a module failed to stop', { module: m.name, error: String(err) });
        }
        if (m.tools?.length) tools.removeOwner(m.name);
      }
      this.started.length = 0;
      try {
        beforeRelease?.();
      } finally {
        this.release();
      }
    })();
    return this.stopping;
  }

  /**
   * Undoes a start that failed half-way, or closes at once when there is no time to wait:
   * synchronously stops what started (their stops are not awaited), then releases the data folder.
   */
  abort(tools?: ToolRegistry): void {
    if (this.stopping) return void this.release();
    this.stopping = Promise.resolve();
    for (const m of [...this.started].reverse()) {
      try {
        const stopped = m.stop?.();
        if (stopped instanceof Promise) stopped.catch(() => {});
      } catch {
        // keep stopping the others; the start error is what the caller hears about
      }
      if (m.tools?.length) tools?.removeOwner(m.name);
    }
    this.started.length = 0;
    this.release();
  }
}
