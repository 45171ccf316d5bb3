import type { AgentSettings, AgentSettingsPatch, AppEvent, BackupSettings, CommandResult, Settings, SettingsPatch, StorageReport } from '../../core/contract/index.js';
import { describeError } from './errors.js';
import type { SliceCreator } from './types.js';

type ProviderHealth = CommandResult<'providers.status'>['models'];
type UsageDays = CommandResult<'usage.daily'>['days'];
type Compactions = CommandResult<'agent.compactions'>['compactions'];

/** A recent run with what it spent. */
export interface RunUsage {
  runId: string;
  title: string;
  status: string;
  model: string | null;
  tokens: number;
  costUsd: number;
}

export interface SettingsSlice {
  settings: Settings | null;
  agentSettings: AgentSettings | null;
  providerHealth: ProviderHealth;
  usageDays: UsageDays;
  recentRunUsage: RunUsage[];
  compactions: Compactions;
  settingsError: string | null;
  /** Bumped when settings or provider health change elsewhere (another window, the CLI, a run). */
  settingsVersion: number;
  /** The data folder's size by kind and the daily backup, or why it could not be read. */
  storage: StorageReport | null;
  storageError: string | null;
  /** Bumped when a backup is made or the backup settings change elsewhere. */
  storageVersion: number;
  loadSettings(): Promise<void>;
  loadStorage(): Promise<void>;
  /** Saves a change to the daily backup; null when saved, else why not. */
  saveBackups(patch: Partial<BackupSettings>): Promise<string | null>;
  /** Makes a copy now; null when made, else why not. */
  backUpNow(): Promise<string | null>;
  /** Saves a change; null when saved, else why not in a sentence (shown beside the field that saved it). */
  saveSettings(patch: SettingsPatch): Promise<string | null>;
  saveAgentSettings(patch: AgentSettingsPatch): Promise<string | null>;
  testProvider(provider: string): Promise<{ ok: boolean; detail: string }>;
  /** The conversation (or one run) as a standalone HTML page. */
  exportTranscript(runId?: string): Promise<{ html: string; filename: string } | null>;
  applySettingsEvents(events: readonly AppEvent[]): void;
}

export const createSettingsSlice: SliceCreator<SettingsSlice> = (set, get, client) => ({
  settings: null,
  agentSettings: null,
  providerHealth: [],
  usageDays: [],
  recentRunUsage: [],
  compactions: [],
  settingsError: null,
  settingsVersion: 0,
  storage: null,
  storageError: null,
  storageVersion: 0,

  async loadSettings() {
    try {
      const [settings, agentSettings, health, usage] = await Promise.all([
        client.call('settings.get', {}),
        client.call('agent.settings.get', {}),
        client.call('providers.status', {}),
        client.call('usage.daily', { days: 14 }),
      ]);
      const [{ runs }, { compactions }] = await Promise.all([client.call('runs.list', { limit: 10 }), client.call('agent.compactions', { limit: 10 })]);
      const shown = await Promise.all(runs.map((run) => client.call('runs.show', { runId: run.id })));
      const recentRunUsage = runs.map((run, i) => {
        const t = shown[i].usage.total;
        return { runId: run.id, title: run.title, status: run.status, model: run.model, tokens: t.inputTokens + t.outputTokens + t.cacheReadTokens + t.cacheWriteTokens, costUsd: t.costUsd };
      });
      set({ settings, agentSettings, providerHealth: health.models, usageDays: usage.days, recentRunUsage, compactions, settingsError: null });
    } catch (err) {
      set({ settingsError: `Settings could not be loaded: ${describeError(err)}` });
    }
  },

  async loadStorage() {
    try {
      set({ storage: await client.call('maintenance.report', {}), storageError: null });
    } catch (err) {
      set({ storageError: `The data folder's size could not be read: ${describeError(err)}` });
    }
  },

  async saveBackups(patch) {
    try {
      const backups = await client.call('maintenance.backups.update', patch);
      const storage = get().storage;
      if (storage) set({ storage: { ...storage, backups } });
      return null;
    } catch (err) {
      return describeError(err).replace(/^maintenance\.backups\.update: /, '');
    }
  },

  async backUpNow() {
    try {
      await client.call('maintenance.backups.now', {});
      await get().loadStorage();
      return null;
    } catch (err) {
      return describeError(err).replace(/^maintenance\.backups\.now: /, '');
    }
  },

  async saveSettings(patch) {
    try {
      set({ settings: await client.call('settings.update', patch) });
      return null;
    } catch (err) {
      return plainSaveError(err);
    }
  },

  async saveAgentSettings(patch) {
    try {
      set({ agentSettings: await client.call('agent.settings.update', patch) });
      return null;
    } catch (err) {
      return plainSaveError(err);
    }
  },

  async testProvider(provider) {
    try {
      return await client.call('providers.test', { provider });
    } catch (err) {
      return { ok: false, detail: describeError(err) };
    }
  },

  async exportTranscript(runId) {
    try {
      return await client.call('runs.exportHtml', runId ? { runId } : {});
    } catch (err) {
      set({ settingsError: `Export failed: ${describeError(err)}` });
      return null;
    }
  },

  applySettingsEvents(events) {
    if (events.some((e) => e.type === 'settings.changed' || e.type === 'provider.cooldown' || e.type === 'run.usage')) {
      set({ settingsVersion: get().settingsVersion + 1 });
    }
    if (events.some((e) => e.type === 'backup.made' || e.type === 'backups.changed' || e.type === 'maintenance.pruned')) {
      set({ storageVersion: get().storageVersion + 1 });
    }
  },
});

/** Why a save failed, without the command name the app puts in front of its own messages. */
function plainSaveError(err: unknown): string {
  return describeError(err).replace(/^(agent\.)?settings\.update: /, '');
}
