import type { WritableDB } from '../db/index.js';
import type { EventLog } from '../events/index.js';
import type { CapabilityModule } from '../modules/index.js';
import type { SecretStore } from '../secrets/index.js';
import type { Clock } from '../util/index.js';
import { createSettingsProjector } from './projector.js';
import { SettingsService } from './service.js';

export interface SettingsModule extends CapabilityModule {
  readonly settings: SettingsService;
}

/** Settings: provider addresses, the chat model, the API key (kept in the secret store). */
export function createSettingsModule(deps: { db: WritableDB; log: EventLog; secrets: SecretStore; env: NodeJS.ProcessEnv; clock: Clock }): SettingsModule {
  const settings = new SettingsService(deps.db, deps.log, deps.secrets, deps.env);
  return {
    name: 'settings',
    settings,
    projectors: [createSettingsProjector(deps.db)],
    handlers: {
      'settings.get': () => settings.get(),
      'settings.update': (patch) => settings.update(patch),
    },
  };
}
