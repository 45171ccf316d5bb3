import type { RunKind } from '../contract/index.js';

/** What the run queue keeps of a run that waits for room. */
export interface WaitingRun {
  runId: string;
  kind: RunKind;
  /** `<kind>/<group>`: runs of one group take turns with the other groups of their kind. */
  group: string;
  priority: 'user' | 'background';
  /** Unique and growing: the order runs were queued in. */
  order: number;
}

/** Runs of one group and priority, oldest first; removed ones are skipped when they reach the head. */
interface Lane<T extends WaitingRun> {
  key: string;
  group: string;
  items: (T | null)[];
  head: number;
  live: number;
}

/**
 * What `start` changed in the turns, so a start that is undone (the transaction that claimed the run
 * rolled back) can put them back exactly as they were (`unstart`).
 */
export interface StartMark {
  readonly kind: RunKind;
  readonly group: string;
  readonly kindBefore: number | undefined;
  readonly groupBefore: number | undefined;
  readonly stamp: number;
}

/** A lane's place in its kind's heap, as it was when pushed: stale once the lane's head or its group's last start moved on. */
interface Entry<T extends WaitingRun> {
  lane: Lane<T>;
  groupStamp: number;
  order: number;
}

const PRIORITIES = ['user', 'background'] as const;

/**
 * The runs waiting for room, indexed so the next one to start is found in O(log n) whatever the
 * backlog. The order is the run queue's: the user's runs first; then the kind, then the group, that
 * started a run longest ago; then the oldest (see `compare`). A group with nothing waiting and
 * nothing running has no turn to keep: its last start is forgotten, and when it comes back it counts
 * as a group that never started, so what is remembered is bounded by the groups that are busy (a
 * worker's group is its parent run: without this, one stamp per parent for the life of the process).
 * Runs of one group and priority wait in a lane ordered by when they were queued; the lanes of a kind
 * and priority sit in a heap by (when their group last started, the order of their oldest run). A
 * changed lane is pushed again; entries that no longer match their lane are dropped when they reach
 * the top, so the top that matches is always the least.
 */
export class WaitingRuns<T extends WaitingRun> {
  private readonly byId = new Map<string, { run: T; lane: Lane<T>; at: number }>();
  private readonly lanes = new Map<string, Lane<T>>();
  private readonly lanesOfGroup = new Map<string, Lane<T>[]>();
  private readonly heaps = { user: new Map<RunKind, Entry<T>[]>(), background: new Map<RunKind, Entry<T>[]>() };
  private readonly perKind = new Map<RunKind, number>();
  /** When each kind last started a run (a growing stamp; 0: never). */
  private readonly kindStart = new Map<string, number>();
  /** When each busy group last started a run (0: never, or forgotten while it had nothing waiting or running). */
  private readonly groupStart = new Map<string, number>();
  /** Runs of each group started and not yet ended (`start` → `ended`). */
  private readonly runningOf = new Map<string, number>();
  private starts = 0;
  private entries = 0;

  get size(): number {
    return this.byId.size;
  }

  has(runId: string): boolean {
    return this.byId.has(runId);
  }

  get(runId: string): T | undefined {
    return this.byId.get(runId)?.run;
  }

  /** Every waiting run, in the order they were queued. */
  values(): IterableIterator<T> {
    const it = this.byId.values();
    return (function* () {
      for (const { run } of it) yield run;
    })();
  }

  /** Kinds with at least one run waiting. */
  kinds(): IterableIterator<RunKind> {
    return this.perKind.keys();
  }

  /**
   * Adds a waiting run. Within its lane it takes its place by `order`: a run whose start was undone
   * goes back where it was (the head), not behind runs queued after it.
   */
  add(run: T): void {
    if (this.byId.has(run.runId)) throw new Error(`run ${run.runId} is already waiting`);
    const key = `${run.priority}|${run.group}`;
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { key, group: run.group, items: [], head: 0, live: 0 };
      this.lanes.set(key, lane);
      const ofGroup = this.lanesOfGroup.get(run.group);
      if (ofGroup) ofGroup.push(lane);
      else this.lanesOfGroup.set(run.group, [lane]);
    }
    const at = this.place(lane, run);
    lane.live++;
    this.perKind.set(run.kind, (this.perKind.get(run.kind) ?? 0) + 1);
    if (at === lane.head) this.push(run.priority, run.kind, lane);
  }

  /** Puts `run` into its lane by order and returns its index; usually the tail, in O(1). */
  private place(lane: Lane<T>, run: T): number {
    const items = lane.items;
    let i = items.length - 1;
    while (i >= lane.head && (items[i] === null || items[i]!.order > run.order)) i--;
    let at = i + 1;
    if (at === items.length) items.push(run);
    else if (items[at] === null) items[at] = run;
    else if (at === lane.head && lane.head > 0) items[(at = --lane.head)] = run;
    else {
      items.splice(at, 0, run);
      for (let j = at + 1; j < items.length; j++) if (items[j]) this.byId.get(items[j]!.runId)!.at = j;
    }
    this.byId.set(run.runId, { run, lane, at });
    return at;
  }

  /** Takes a run out (it started, ended or was never committed); false when it was not waiting. */
  delete(runId: string): boolean {
    const found = this.byId.get(runId);
    if (!found) return false;
    const { run, lane, at } = found;
    this.byId.delete(runId);
    const left = (this.perKind.get(run.kind) ?? 1) - 1;
    if (left) this.perKind.set(run.kind, left);
    else this.perKind.delete(run.kind);
    lane.items[at] = null;
    lane.live--;
    if (lane.live === 0) {
      this.dropLane(lane);
      this.forgetIfIdle(lane.group);
      return true;
    }
    if (at !== lane.head) return true;
    while (lane.items[lane.head] === null) lane.head++;
    if (lane.head > 64 && lane.head * 2 > lane.items.length) this.compact(lane);
    this.push(run.priority, run.kind, lane);
    return true;
  }

  /** The run that should start next among the kinds `canStart` allows, or undefined. It stays waiting. */
  next(canStart: (kind: RunKind) => boolean): T | undefined {
    for (const priority of PRIORITIES) {
      let best: Entry<T> | undefined;
      let bestKindStamp = 0;
      for (const [kind, heap] of this.heaps[priority]) {
        if (!canStart(kind)) continue;
        const top = this.top(heap);
        if (!top) continue;
        const kindStamp = this.kindStart.get(kind) ?? 0;
        if (!best || kindStamp < bestKindStamp || (kindStamp === bestKindStamp && lessThan(top, best))) {
          best = top;
          bestKindStamp = kindStamp;
        }
      }
      if (best) return best.lane.items[best.lane.head]!;
    }
    return undefined;
  }

  /**
   * Takes a waiting run out to start it: its kind and group go to the back of the turns, and the
   * group counts it as running until `ended`. Returns what to give `unstart` if the start is undone.
   */
  start(runId: string): StartMark {
    const found = this.byId.get(runId);
    if (!found) throw new Error(`run ${runId} is not waiting`);
    const { kind, group } = found.run;
    // Counted as running first, so taking out its group's last waiting run does not forget the group.
    this.runningOf.set(group, (this.runningOf.get(group) ?? 0) + 1);
    this.delete(runId);
    const mark: StartMark = { kind, group, kindBefore: this.kindStart.get(kind), groupBefore: this.groupStart.get(group), stamp: ++this.starts };
    this.kindStart.set(kind, mark.stamp);
    this.groupStart.set(group, mark.stamp);
    this.repush(group);
    return mark;
  }

  /** A started run ended: once its group has nothing waiting or running, the group's last start is forgotten. */
  ended(run: Pick<T, 'group'>): void {
    const left = (this.runningOf.get(run.group) ?? 1) - 1;
    if (left > 0) this.runningOf.set(run.group, left);
    else this.runningOf.delete(run.group);
    this.forgetIfIdle(run.group);
  }

  /**
   * Undoes a start, as if it never happened: the kind's and group's turns go back to what they were,
   * and the group no longer counts the run as running. Put the run back with `add` first (unless it
   * is gone: its creation was undone too). Undo starts newest first, before any later start.
   */
  unstart(mark: StartMark): void {
    if (this.kindStart.get(mark.kind) === mark.stamp) restore(this.kindStart, mark.kind, mark.kindBefore);
    if (this.groupStart.get(mark.group) === mark.stamp) restore(this.groupStart, mark.group, mark.groupBefore);
    this.ended(mark);
    this.repush(mark.group);
  }

  /** How many groups have their last start remembered: never more than the groups with runs waiting or running. */
  get rememberedGroups(): number {
    return this.groupStart.size;
  }

  /** The queue's order between two waiting runs: negative when `a` goes first. */
  compare(a: T, b: T): number {
    if (a.priority !== b.priority) return a.priority === 'user' ? -1 : 1;
    const kind = (this.kindStart.get(a.kind) ?? 0) - (this.kindStart.get(b.kind) ?? 0);
    if (kind) return kind;
    const group = this.stamp(a.group) - this.stamp(b.group);
    if (group) return group;
    return a.order - b.order;
  }

  private forgetIfIdle(group: string): void {
    if (!this.lanesOfGroup.has(group) && !this.runningOf.has(group)) this.groupStart.delete(group);
  }

  /** Pushes each lane of `group` again after its group's stamp changed. */
  private repush(group: string): void {
    for (const lane of this.lanesOfGroup.get(group) ?? []) {
      const head = lane.items[lane.head]!;
      this.push(head.priority, head.kind, lane);
    }
  }

  /** When `group` last started a run; 0 when never or forgotten. */
  private stamp(group: string): number {
    return this.groupStart.get(group) ?? 0;
  }

  /** The heap's top entry that is still true to its lane; stale ones on the way are dropped. */
  private top(heap: Entry<T>[]): Entry<T> | undefined {
    while (heap.length) {
      const e = heap[0];
      const lane = e.lane;
      if (lane.live > 0 && this.lanes.get(lane.key) === lane && lane.items[lane.head]!.order === e.order && this.stamp(lane.group) === e.groupStamp) return e;
      popHeap(heap);
      this.entries--;
    }
    return undefined;
  }

  private push(priority: 'user' | 'background', kind: RunKind, lane: Lane<T>): void {
    let heap = this.heaps[priority].get(kind);
    if (!heap) {
      heap = [];
      this.heaps[priority].set(kind, heap);
    }
    pushHeap(heap, { lane, groupStamp: this.stamp(lane.group), order: lane.items[lane.head]!.order });
    // Stale entries are dropped as they surface; rebuild when they pile up, so memory stays flat.
    if (++this.entries > 4 * this.lanes.size + 64) this.rebuild();
  }

  private dropLane(lane: Lane<T>): void {
    this.lanes.delete(lane.key);
    const ofGroup = this.lanesOfGroup.get(lane.group);
    if (!ofGroup) return;
    const rest = ofGroup.filter((l) => l !== lane);
    if (rest.length) this.lanesOfGroup.set(lane.group, rest);
    else this.lanesOfGroup.delete(lane.group);
  }

  private compact(lane: Lane<T>): void {
    const shift = lane.head;
    lane.items = lane.items.slice(shift);
    lane.head = 0;
    for (const run of lane.items) if (run) this.byId.get(run.runId)!.at -= shift;
  }

  private rebuild(): void {
    this.entries = 0;
    for (const priority of PRIORITIES) this.heaps[priority].clear();
    for (const lane of this.lanes.values()) {
      const head = lane.items[lane.head]!;
      let heap = this.heaps[head.priority].get(head.kind);
      if (!heap) {
        heap = [];
        this.heaps[head.priority].set(head.kind, heap);
      }
      pushHeap(heap, { lane, groupStamp: this.stamp(lane.group), order: head.order });
      this.entries++;
    }
  }
}

function restore(map: Map<string, number>, key: string, value: number | undefined): void {
  if (value === undefined) map.delete(key);
  else map.set(key, value);
}

function lessThan<T extends WaitingRun>(a: Entry<T>, b: Entry<T>): boolean {
  return a.groupStamp !== b.groupStamp ? a.groupStamp < b.groupStamp : a.order < b.order;
}

function pushHeap<T extends WaitingRun>(heap: Entry<T>[], e: Entry<T>): void {
  heap.push(e);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (!lessThan(heap[i], heap[parent])) break;
    [heap[i], heap[parent]] = [heap[parent], heap[i]];
    i = parent;
  }
}

function popHeap<T extends WaitingRun>(heap: Entry<T>[]): void {
  const last = heap.pop()!;
  if (!heap.length) return;
  heap[0] = last;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let m = i;
    if (l < heap.length && lessThan(heap[l], heap[m])) m = l;
    if (r < heap.length && lessThan(heap[r], heap[m])) m = r;
    if (m === i) return;
    [heap[i], heap[m]] = [heap[m], heap[i]];
    i = m;
  }
}
