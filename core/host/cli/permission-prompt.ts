import type { AppEvent, Client } from '../../contract/index.js';
import type { CliIO } from './types.js';

type Requested = Extract<AppEvent, { type: 'permission.requested' }>;

/**
 * Answers a chat run's permission requests from the terminal. With a person at the terminal it
 * asks, one request at a time, and stops asking when the request is decided elsewhere (the UI, a
 * rule, expiry). Without one it says how to answer from another terminal.
 */
export class PermissionPrompter {
  private queue: Requested[] = [];
  private current: { requestId: string; controller: AbortController } | null = null;
  private readonly decided = new Set<string>();

  constructor(
    private readonly io: CliIO,
    private readonly client: Client,
    private readonly interactive: boolean,
  ) {}

  requested(event: Requested): void {
    const d = event.data;
    const what = `${d.tool} wants ${d.capability} on ${d.resolved ?? d.resource}: ${d.argsSummary}`;
    if (!this.interactive || !this.io.ask) {
      this.io.stderr(`\nwaiting for permission: ${what} (${d.reason})\n  answer with: agent-blob permissions answer ${d.requestId} allow|deny\n`);
      return;
    }
    this.queue.push(event);
    if (!this.current) void this.next();
  }

  /** A request was decided, by this terminal or anywhere else. */
  settled(requestId: string, decision: string, decidedBy: string): void {
    this.decided.add(requestId);
    if (this.current?.requestId === requestId) {
      this.current.controller.abort();
      this.io.stderr(`\n(${decision}, decided by ${decidedBy})\n`);
    }
  }

  /** Stops asking (the run ended). */
  stop(): void {
    this.queue = [];
    this.current?.controller.abort();
  }

  private async next(): Promise<void> {
    const event = this.queue.shift();
    if (!event) return;
    const d = event.data;
    if (this.decided.has(d.requestId)) return this.next();
    const controller = new AbortController();
    this.current = { requestId: d.requestId, controller };
    const question = `\n${d.tool} wants ${d.capability} on ${d.resolved ?? d.resource}\n  ${d.argsSummary}\n  (${d.reason})\nAllow? [y]es once, [a]lways, [N]o: `;
    try {
      const answer = (await this.io.ask!(question, controller.signal)).trim().toLowerCase();
      if (!controller.signal.aborted && !this.decided.has(d.requestId)) {
        const always = answer === 'a' || answer === 'always';
        const allow = always || answer === 'y' || answer === 'yes';
        // "Always" saves the narrowest rule covering this call, as the approval dialog does.
        const rule = always ? (await this.client.call('permissions.suggest', { requestId: d.requestId })).rule : undefined;
        const result = await this.client.call('permissions.answer', { requestId: d.requestId, decision: allow ? 'allow' : 'deny', always, rule });
        if (result.ruleId) this.io.stderr(`saved rule ${result.ruleId}\n`);
      }
    } catch (err) {
      // A withdrawn question is no failure; a refused answer is worth a line (decided elsewhere first).
      if (!controller.signal.aborted) this.io.stderr(`could not answer: ${(err as Error).message}\n`);
    } finally {
      this.current = null;
    }
    return this.next();
  }
}
