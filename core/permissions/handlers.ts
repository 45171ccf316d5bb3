import type { Handlers } from '../gateway/index.js';
import type { Permissions } from './service.js';

type PermissionCommand = Extract<keyof Handlers, `permissions.${string}`>;

/** The gateway handlers of the permission commands. */
export function createPermissionHandlers(permissions: Permissions): Pick<Handlers, PermissionCommand> {
  return {
    'permissions.rules.list': ({ recent }) => ({ rules: permissions.listRules(recent) }),
    'permissions.rules.add': (input) => permissions.addRule(input),
    'permissions.rules.update': ({ id, ...patch }) => permissions.updateRule(id, patch),
    'permissions.rules.remove': ({ id }) => permissions.removeRule(id),
    // "Allow always" without an edited rule saves the suggested one: the narrowest that covers the call.
    'permissions.answer': (input) => {
      const pending = input.always && input.decision === 'allow' && !input.rule ? permissions.queries.request(input.requestId) : null;
      const rule = pending?.status === 'pending' ? permissions.suggest({ requestId: input.requestId }).rule : input.rule;
      return permissions.gate.answer({ ...input, rule });
    },
    'permissions.pending': () => ({ requests: permissions.pending() }),
    'permissions.details': ({ requestId }) => permissions.details(requestId),
    'permissions.audit': (filter) => ({ entries: permissions.audit(filter) }),
    'permissions.test': (call) => permissions.test(call),
    'permissions.suggest': (input) => permissions.suggest(input),
    'permissions.preview': ({ rule, limit }) => permissions.preview(rule, limit),
    'permissions.config.get': () => permissions.config(),
    'permissions.config.update': (patch) => permissions.updateConfig(patch),
  };
}
