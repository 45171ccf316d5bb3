import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyTimelineEvent, timelineThreads, type ArtifactItem, type TimelineItem } from '../../../core/contract/index.js';
import { timelineLine } from '../../../core/host/cli/format.js';
import { createTimelineProjector } from '../../../core/timeline/index.js';
import { createArtifactsProjector } from '../../../core/workers/index.js';
import { chunk, startTestCore, useLoopbackProviders, waitFor, type TestCore } from '../../support/index.js';
import { envelopeReply, isWorkerRequest, taskOf } from '../workers/support.js';

const artifactsOf = (items: readonly TimelineItem[]) => items.filter((i): i is ArtifactItem => i.kind === 'artifact');

/** The items of a thread as the log folds them in a client (the renderer's store, the CLI). */
function folded(t: TestCore, view: string): TimelineItem[] {
  const index = new Map<string, number>();
  const threads = timelineThreads(view);
  let items: TimelineItem[] = [];
  for (const event of t.core.log.since(0, 100_000)) items = applyTimelineEvent(items, index, event, threads);
  return items;
}

describe('artifacts in the timeline', () => {
  const providers = useLoopbackProviders();

  it('a worker the chat started puts one item per file into the chat, with its name, type, size and worker, as the folded log, search and the CLI have it', async () => {
    const t = await startTestCore({ env: providers.env() });
    try {
      await t.client.call('permissions.rules.add', { effect: 'allow', capability: 'worker.spawn', pattern: '*' });
      providers.anthropic.respond((body) =>
        isWorkerRequest(body)
          ? envelopeReply({ summary: 'Two files.', artifacts: [{ name: 'launch-notes.md', content: '# Launch\nTuesday' }, { name: 'dates', type: 'application/json', content: '{"launch":"Tue"}' }] })
          : null,
      );
      providers.anthropic.script(
        { kind: 'stream', chunks: ['Asking a worker.'], toolCalls: [{ name: 'spawn_worker', arguments: { role: 'researcher', task: 'collect the launch notes' } }] },
        { kind: 'stream', chunks: chunk('Done.', 2) },
      );
      const turn = await t.client.call('chat.send', { text: 'collect the notes' });
      await waitFor(() => t.core.runs.get(turn.runId).status === 'done', 'the chat turn');
      await t.core.idle();
      const [worker] = (await t.client.call('workers.list', {})).workers;
      const chat = (await t.client.call('timeline.list', {})).items;
      const files = artifactsOf(chat);
      assert.deepEqual(
        files.map((f) => [f.name, f.type, f.size, f.source, f.runId, f.threadId, f.sourceThreadId, f.path]),
        [
          ['launch-notes.md', 'text/markdown', 16, 'researcher', worker.id, 'chat', `worker:${worker.id}`, `${worker.id}/launch-notes.md`],
          ['dates', 'application/json', 16, 'researcher', worker.id, 'chat', `worker:${worker.id}`, `${worker.id}/dates`],
        ],
      );
      // The same files as the worker's result and the artifacts table have them, each readable by its id.
      const shown = await t.client.call('workers.get', { workerId: worker.id });
      assert.deepEqual(files.map((f) => f.artifactId), shown.envelope!.artifacts.map((a) => a.id));
      const first = await t.client.call('workers.artifact', { artifactId: files[0].artifactId });
      assert.ok(first.path.endsWith(files[0].path), first.path);
      assert.equal(first.text, '# Launch\nTuesday');
      // The worker's transcript lists them; its own thread does not repeat them.
      assert.deepEqual(shown.transcript.filter((e) => e.kind === 'artifact').map((e) => e.kind === 'artifact' && e.name), ['launch-notes.md', 'dates']);
      const own = (await t.client.call('timeline.list', { threadId: `worker:${worker.id}` })).items;
      assert.deepEqual(artifactsOf(own), []);

      for (const view of ['chat', `worker:${worker.id}`]) assert.deepEqual((await t.client.call('timeline.list', { threadId: view })).items, folded(t, view), view);
      const hits = (await t.client.call('timeline.search', { query: 'launch-notes' })).hits;
      // The file by its name, and the result that lists it (newest first).
      assert.deepEqual(hits.map((h) => [h.kind, h.id]), [['run_result', `result-${worker.id}`], ['artifact', files[0].id]]);
      assert.match(timelineLine(files[0]), new RegExp(`artifact launch-notes\\.md \\(text/markdown, 16 bytes\\) from the researcher worker ${worker.id} \\[${files[0].artifactId}, ${worker.id}/launch-notes\\.md, thread worker:${worker.id}\\]$`));
    } finally {
      providers.anthropic.respond(null);
      await t.close();
    }
  });

  it('a worker’s own worker’s files show in its parent worker’s thread, not in the chat', async () => {
    const t = await startTestCore({ env: providers.env() });
    try {
      const parent = t.core.log.transaction(() => t.core.runs.create({ kind: 'chat', title: 'parent' }));
      providers.anthropic.respond((body) => (isWorkerRequest(body) ? envelopeReply({ summary: `did ${taskOf(body)}`, artifacts: [{ name: `${taskOf(body)}.md`, content: taskOf(body) }] }) : null));
      const top = t.core.workers.pool.spawn({ parentRunId: parent, role: 'researcher', task: 'top' });
      const inner = t.core.workers.pool.spawn({ parentRunId: top.id, role: 'writer', task: 'inner' });
      await t.core.workers.pool.wait([top.id, inner.id], new AbortController().signal);
      await t.core.idle();
      const chat = artifactsOf((await t.client.call('timeline.list', {})).items);
      assert.deepEqual(chat.map((f) => [f.name, f.source, f.runId]), [['top.md', 'researcher', top.id]]);
      const topThread = artifactsOf((await t.client.call('timeline.list', { threadId: `worker:${top.id}` })).items);
      assert.deepEqual(topThread.map((f) => [f.name, f.source, f.runId, f.sourceThreadId]), [['inner.md', 'writer', inner.id, `worker:${inner.id}`]]);
      for (const view of ['chat', `worker:${top.id}`, `worker:${inner.id}`]) assert.deepEqual((await t.client.call('timeline.list', { threadId: view })).items, folded(t, view), view);
    } finally {
      providers.anthropic.respond(null);
      await t.close();
    }
  });

  it('rebuilding the timeline and the artifacts table from the event log gives the same items and rows', async () => {
    const t = await startTestCore({ env: providers.env() });
    try {
      const parent = t.core.log.transaction(() => t.core.runs.create({ kind: 'chat', title: 'parent' }));
      providers.anthropic.respond((body) => (isWorkerRequest(body) ? envelopeReply({ summary: 'ok', artifacts: [{ name: 'a.md', content: 'A' }, { name: 'a.md', content: 'second A' }] }) : null));
      const ids = [0, 1].map((i) => t.core.workers.pool.spawn({ parentRunId: parent, role: 'researcher', task: `task ${i}` }).id);
      await t.core.workers.pool.wait(ids, new AbortController().signal);
      await t.core.idle();
      const views = ['chat', ...ids.map((id) => `worker:${id}`)];
      const snapshot = async () => ({
        threads: await Promise.all(views.map(async (threadId) => (await t.client.call('timeline.list', { threadId, limit: 1000 })).items)),
        rows: t.core.db.prepare('SELECT * FROM artifacts ORDER BY rowid').all(),
        search: (await t.client.call('timeline.search', { query: 'a.md' })).hits.map((h) => h.id),
      });
      const before = await snapshot();
      assert.equal(artifactsOf(before.threads[0]).length, 4);
      assert.equal(before.rows.length, 4);

      t.core.db.transaction(() => {
        t.core.db.exec("DELETE FROM timeline; INSERT INTO timeline_fts(timeline_fts) VALUES ('delete-all'); DELETE FROM artifacts");
        const timeline = createTimelineProjector(t.core.db, (runId) => t.core.runs.threadOf(runId));
        const artifacts = createArtifactsProjector(t.core.db);
        for (const event of t.core.log.since(0, 100_000)) {
          timeline(event);
          artifacts(event);
        }
      })();
      assert.deepEqual(await snapshot(), before);
    } finally {
      providers.anthropic.respond(null);
      await t.close();
    }
  });
});
