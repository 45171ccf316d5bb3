import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MessageItem, TimelineItem, ToolCallItem } from '../../core/contract/index.js';
import { visibleTimelineItems } from '../../renderer/components/timelineVisibility.js';

const DAY = 24 * 3600_000;
const noon = new Date(2026, 11, 6, 12, 0, 0).getTime();

function message(seq: number, ts: number, text = `message ${seq}`): MessageItem {
  return { kind: 'message', id: `m${seq}`, seq, ts, runId: null, threadId: 'chat', role: seq % 2 ? 'assistant' : 'user', text, status: 'done', model: null };
}

function toolCall(seq: number, ts: number, runId: string): ToolCallItem {
  return {
    kind: 'tool_call',
    id: `t${seq}`,
    seq,
    ts,
    runId,
    threadId: 'chat',
    callId: `c${seq}`,
    tool: 'read_file',
    args: '{}',
    capability: 'fs.read',
    resource: '/tmp/x',
    status: 'ok',
    output: '',
    error: null,
  };
}

test('a day starts at the first row of each local day, and the rows carry only the items themselves', () => {
  const items: TimelineItem[] = [message(1, noon - 2 * DAY), message(2, noon - 2 * DAY + 60_000), message(3, noon - DAY), message(4, noon), message(5, noon + 1000)];
  const { rows, dayStarts } = visibleTimelineItems(items);
  assert.deepEqual(
    rows.map((r) => r.id),
    ['m1', 'm2', 'm3', 'm4', 'm5'],
  );
  assert.deepEqual([...dayStarts.keys()], ['m1', 'm3', 'm4']);
  assert.deepEqual(
    [...dayStarts.values()].map((d) => d.day),
    ['2026-12-04', '2026-12-05', '2026-12-06'],
  );
});

test('loading an older page of the same day moves the day line up and leaves every row the reader saw with its key', () => {
  const newest = Array.from({ length: 5 }, (_, i) => message(100 + i, noon + i * 1000));
  const before = visibleTimelineItems(newest);
  assert.deepEqual([...before.dayStarts.keys()], ['m100']);

  const older = Array.from({ length: 5 }, (_, i) => message(90 + i, noon - 10_000 + i * 1000));
  const after = visibleTimelineItems([...older, ...newest]);
  assert.deepEqual([...after.dayStarts.keys()], ['m90']);
  // The keys a list anchors on: every row of the first page is still there, under the same key.
  const keysAfter = new Set(after.rows.map((r) => r.id));
  for (const row of before.rows) assert.ok(keysAfter.has(row.id), `${row.id} keeps its key`);
});

test('consecutive tool calls of a run group into one row, but never across the start of a day', () => {
  const items: TimelineItem[] = [
    toolCall(1, noon - DAY, 'r1'),
    toolCall(2, noon - DAY + 10, 'r1'),
    toolCall(3, noon, 'r1'),
    toolCall(4, noon + 10, 'r1'),
    toolCall(5, noon + 20, 'r2'),
  ];
  const { rows, dayStarts } = visibleTimelineItems(items);
  assert.deepEqual(
    rows.map((r) => (r.kind === 'tool_group' ? `${r.id}[${r.calls.map((c) => c.id).join(',')}]` : r.id)),
    ['group-t1[t1,t2]', 'group-t3[t3,t4]', 't5'],
  );
  // The day line follows the call that opened the day into the group that now holds it.
  assert.deepEqual([...dayStarts.keys()], ['group-t1', 'group-t3']);
});

test('a reply that ended without text and a permission wait that was answered are left out', () => {
  const empty = { ...message(2, noon + 10, ''), role: 'assistant' as const };
  const waiting: TimelineItem = { kind: 'run_status', id: 's3', seq: 3, ts: noon + 20, runId: 'r9', threadId: 'chat', status: 'waiting_permission', reason: null };
  const { rows } = visibleTimelineItems([message(1, noon), empty, waiting, message(4, noon + 30)]);
  assert.deepEqual(
    rows.map((r) => r.id),
    ['m1', 'm4'],
  );
  assert.deepEqual(
    visibleTimelineItems([message(1, noon), waiting], new Set(['r9'])).rows.map((r) => r.id),
    ['m1', 's3'],
  );
});

test('after the time zone changes, the same items are counted in the days of the new zone', () => {
  const zone = process.env.TZ;
  try {
    process.env.TZ = 'UTC';
    // 23:30 on 6 December in UTC is already 7 December in Tokyo.
    const late = Date.UTC(2026, 11, 6, 23, 30);
    const items = [message(1, late - 3600_000), message(2, late)];
    assert.deepEqual([...visibleTimelineItems(items).dayStarts.values()].map((d) => d.day), ['2026-12-06']);
    process.env.TZ = 'Asia/Tokyo';
    assert.deepEqual([...visibleTimelineItems(items).dayStarts.values()].map((d) => d.day), ['2026-12-07']);
    process.env.TZ = 'America/Los_Angeles';
    assert.deepEqual([...visibleTimelineItems(items).dayStarts.values()].map((d) => d.day), ['2026-12-06']);
  } finally {
    if (zone === undefined) delete process.env.TZ;
    else process.env.TZ = zone;
  }
});
