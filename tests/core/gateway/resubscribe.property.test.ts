import assert from 'node:assert/strict';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { AppEvent } from '../../../core/contract/index.js';
import { startTestHost, waitFor, type TestHost } from '../../support/index.js';

const EVENTS = 2000;

describe('resubscribing over the real WebSocket', () => {
  let host: TestHost;
  before(async () => {
    host = await startTestHost();
  });
  after(async () => {
    await host.close();
  });

  it('a client dropped at random points while 2,000 events are appended ends with each exactly once, in order', async () => {
    let totalDrops = 0;
    let reconnects = 0;
    await fc.assert(
      fc.asyncProperty(
        // Indices (in events appended so far) at which every connection is cut, and batch sizes
        // between yields, so drops land mid-backlog, mid-live-stream and during reconnects.
        fc.uniqueArray(fc.integer({ min: 0, max: EVENTS - 1 }), { minLength: 1, maxLength: 25 }),
        fc.integer({ min: 1, max: 60 }),
        async (dropPoints, batch) => {
          const base = host.core.log.head();
          const client = host.connect({ reconnect: true, minDelayMs: 1, maxDelayMs: 5 });
          const received: AppEvent[] = [];
          client.onState((state) => {
            if (state === 'reconnecting') reconnects++;
          });
          client.subscribe(base, (event) => received.push(event));
          const drops = new Set(dropPoints);
          try {
            for (let i = 0; i < EVENTS; i++) {
              if (drops.has(i)) {
                host.server.dropClients();
                totalDrops++;
              }
              host.core.log.transaction(() => host.core.log.append('timeline.error', { code: 'probe', message: `event ${i}` }));
              if (i % batch === 0) await yieldToIo();
            }
            await waitFor(() => received.at(-1)?.seq === base + EVENTS, 'the last event');
            await new Promise((resolve) => setTimeout(resolve, 10));
            assert.equal(received.length, EVENTS, 'no duplicates and no gaps');
            received.forEach((event, i) => {
              assert.equal(event.seq, base + i + 1);
              assert.equal(event.type === 'timeline.error' && event.data.message, `event ${i}`);
            });
            assert.equal(client.lastSeq(), base + EVENTS);
          } finally {
            client.close();
          }
        },
      ),
      { seed: 20261129, numRuns: 6, endOnFailure: true },
    );
    assert.ok(totalDrops >= 6, 'connections really were cut');
    assert.ok(reconnects >= 6, `the client really reconnected (${reconnects} times)`);
  });
});
