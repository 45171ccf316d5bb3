import type { Purpose } from '../contract/index.js';
import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import type { CapabilityModule } from '../modules/index.js';
import type { Permissions } from '../permissions/index.js';
import { costOf, priceOf, routeStream, type CircuitBreaker, type ModelProvider, type ProviderId, type Usage } from '../providers/index.js';
import type { RunContext } from '../runs/index.js';
import type { Run } from '../contract/index.js';
import type { TimelineQueries } from '../timeline/index.js';
import type { AttachmentStore } from '../attachments/index.js';
import { scrubbedEnv, type Notifier, type ToolRegistry } from '../tools/index.js';
import type { Clock } from '../util/index.js';
import { chainFor, type AgentRuntime, type RecallForPrompt, type SectionRun } from './executor.js';
import { createAgentHandlers } from './handlers.js';
import { AgentSettingsService } from './settings.js';
import { AgentStore, createUsageProjector } from './store.js';

export interface AgentModuleDeps {
  db: WritableDB;
  log: EventLog;
  clock: Clock;
  redact: (text: string) => string;
  timeline: TimelineQueries;
  /** Where the bytes of files sent with messages are, for the history a model is given. */
  attachments?: AttachmentStore;
  runs: { get(runId: string): Run };
  providers: { get(id: ProviderId): ModelProvider };
  breaker: CircuitBreaker;
  tools: ToolRegistry;
  permissions: Permissions;
  /** The notifier the `notify` tool reaches now (native, a window that shows them, or none). */
  notifier: () => Notifier | null;
  env: NodeJS.ProcessEnv;
  timeZone: string;
  deltaWindowMs: number;
  chatModel: () => string;
}

export interface AgentModule extends CapabilityModule {
  /** What every agent run shares; `agentExecutor(agent.runtime, input)` runs the loop for any purpose. */
  readonly runtime: AgentRuntime;
  readonly store: AgentStore;
  readonly settings: AgentSettingsService;
  /** Adds a section to every run's system prompt (a skills index, a policy summary); called once as each run starts. */
  addSystemSection(section: (run: SectionRun) => { title: string; body: string } | null): void;
  /** Sets where retrieved memory for a prompt comes from. */
  setRecall(recall: RecallForPrompt): void;
  /** Sets where the skills a run follows come from (their `allowed-tools` reach the permission gate). */
  setSkillsInUse(inUse: NonNullable<AgentRuntime['skillsInUse']>): void;
  /**
   * Asks the model routed for `purpose` one question inside a run and returns its whole text answer.
   * Its tokens and cost are the run's (`run.usage`), like any turn's; retries and fallbacks are the run's events.
   */
  complete(run: Pick<RunContext, 'signal' | 'emit'>, purpose: Purpose, system: string, prompt: string): Promise<string>;
}

/** The agent runtime: the loop's shared parts, its settings, usage, recordings and their commands. */
export function createAgentModule(deps: AgentModuleDeps): AgentModule {
  const store = new AgentStore(deps.db);
  const settings = new AgentSettingsService(deps.db, deps.log);
  const sections: ((run: SectionRun) => { title: string; body: string } | null)[] = [
    () => ({
      title: 'Permissions',
      body: `Mode: ${deps.permissions.config().mode}. File and shell tools work inside: ${deps.permissions.roots().join(', ') || '(no folder)'}. Some calls ask the user first; a denied call comes back as an error: do not retry it unchanged.`,
    }),
  ];
  const runtime: AgentRuntime = {
    log: deps.log,
    timeline: deps.timeline,
    attachment: (id) => deps.attachments?.find(id) ?? null,
    store,
    providers: deps.providers,
    breaker: deps.breaker,
    clock: deps.clock,
    redact: deps.redact,
    tools: () => deps.tools.list(),
    gate: deps.permissions.gate,
    notifier: deps.notifier,
    commandEnv: scrubbedEnv(deps.env),
    // Read at each use: the system's zone is looked up only when a run needs it.
    get timeZone() {
      return deps.timeZone;
    },
    deltaWindowMs: deps.deltaWindowMs,
    settings: () => settings.get(),
    chatModel: deps.chatModel,
    roots: () => deps.permissions.roots(),
    systemSections: (run) => sections.map((s) => s(run)).filter((s): s is { title: string; body: string } => s !== null),
    maxTokens: 4096,
    historyLimit: 400,
    threadOf: (runId) => deps.runs.get(runId).threadId,
  };
  return {
    name: 'agent',
    runtime,
    store,
    settings,
    projectors: [createUsageProjector(deps.db)],
    handlers: createAgentHandlers({ store, settings, timeline: deps.timeline, runs: deps.runs, tools: runtime.tools, redact: deps.redact, clock: deps.clock, get timeZone() { return deps.timeZone; } }),
    addSystemSection: (section) => sections.push(section),
    setRecall: (recall) => {
      runtime.recallForPrompt = recall;
    },
    setSkillsInUse: (inUse) => {
      runtime.skillsInUse = inUse;
    },
    async complete(run, purpose, system, prompt) {
      const prices = settings.get().prices;
      let out = '';
      let usage: Usage | null = null;
      let answeredBy: string | null = null;
      const stream = routeStream({ providers: deps.providers, clock: deps.clock, breaker: deps.breaker }, chainFor(runtime, purpose), {
        system,
        messages: [{ role: 'user', content: prompt }],
        maxTokens: 1024,
        signal: run.signal,
      });
      for await (const event of stream) {
        if (event.type === 'text') out += event.text;
        else if (event.type === 'usage') usage = event.usage;
        else if (event.type === 'end') {
          if (usage) {
            const { estimated, ...counts } = usage;
            run.emit('run.usage', { model: event.model, purpose, ...counts, costUsd: costOf(usage, priceOf(event.model, prices)), ...(estimated ? { estimated: true } : {}) });
            usage = null;
          }
          if (event.model !== answeredBy) run.emit('run.model', { model: (answeredBy = event.model) });
        } else if (event.type === 'retry') run.emit('provider.retry', { model: event.model, attempt: event.attempt, kind: event.kind, message: event.message, delayMs: event.delayMs });
        else if (event.type === 'fallback') run.emit('provider.fallback', { from: event.from, to: event.to, reason: event.reason });
        else if (event.type === 'cooldown') run.emit('provider.cooldown', { model: event.model, until: event.until, failures: event.failures });
      }
      return out;
    },
  };
}
