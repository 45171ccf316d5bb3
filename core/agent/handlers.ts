import type { Run } from '../contract/index.js';
import type { Handlers } from '../gateway/index.js';
import type { TimelineQueries } from '../timeline/index.js';
import type { AnyTool } from '../tools/index.js';
import type { Clock } from '../util/index.js';
import { transcriptHtml } from './export-html.js';
import { replayRun } from './replay.js';
import type { AgentSettingsService } from './settings.js';
import type { AgentStore } from './store.js';

type AgentCommand = 'agent.settings.get' | 'agent.settings.update' | 'runs.show' | 'usage.daily' | 'runs.replay' | 'runs.exportHtml' | 'agent.compactions';

export interface AgentHandlerDeps {
  store: AgentStore;
  settings: AgentSettingsService;
  timeline: TimelineQueries;
  runs: { get(runId: string): Run };
  tools: () => readonly AnyTool[];
  redact: (text: string) => string;
  clock: Clock;
  timeZone: string;
}

/** The agent runtime's commands. */
export function createAgentHandlers(deps: AgentHandlerDeps): Pick<Handlers, AgentCommand> {
  return {
    'agent.settings.get': () => deps.settings.get(),
    'agent.settings.update': (patch) => deps.settings.update(patch),
    'runs.show': ({ runId }) => {
      const run = deps.runs.get(runId);
      const calls = new Map<string, { callId: string; tool: string; ok: boolean | null; error: string | null }>();
      const skills = { offered: [] as string[], loaded: [] as string[] };
      for (const e of deps.store.eventsOfRun(runId)) {
        if (e.type === 'skills.offered') skills.offered = e.data.skills;
        if (e.type === 'skill.loaded' && !e.data.file && !skills.loaded.includes(e.data.name)) skills.loaded.push(e.data.name);
        if (e.type === 'tool.started') calls.set(e.data.callId, { callId: e.data.callId, tool: e.data.tool, ok: null, error: null });
        if (e.type === 'tool.completed') {
          const c = calls.get(e.data.callId);
          if (c) Object.assign(c, { ok: e.data.ok, error: e.data.error ? `${e.data.error.code}: ${e.data.error.message}` : null });
        }
      }
      return { runId, status: run.status, reason: run.reason, model: run.model, usage: deps.store.usageOfRun(runId), toolCalls: [...calls.values()], skills, recordedSteps: deps.store.recordedSteps(runId) };
    },
    'usage.daily': ({ days }) => {
      const since = new Date(deps.clock.now() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
      return { days: deps.store.usageByDays(since) };
    },
    'runs.replay': ({ runId }) =>
      replayRun(
        {
          recording: (id) => deps.store.recording(id),
          eventsOfRun: (id) => deps.store.eventsOfRun(id),
          run: (id) => deps.runs.get(id),
          tools: deps.tools,
          redact: deps.redact,
        },
        runId,
      ),
    'runs.exportHtml': ({ runId }) => {
      const { items } = deps.timeline.list(Number.MAX_SAFE_INTEGER, 20_000);
      if (runId) {
        const run = deps.runs.get(runId);
        const own = items.filter((i) => i.runId === runId);
        return { html: transcriptHtml(`Agent Blob — ${run.title}`, own, deps.redact, deps.timeZone), filename: `agent-blob-${runId}.html` };
      }
      return { html: transcriptHtml('Agent Blob — conversation', items, deps.redact, deps.timeZone), filename: 'agent-blob-conversation.html' };
    },
    'agent.compactions': ({ limit }) => ({ compactions: deps.store.listCompactions(limit) }),
  };
}
