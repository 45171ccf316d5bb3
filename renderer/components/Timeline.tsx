import { useVirtualizer, type VirtualItem } from '@tanstack/react-virtual';
import { memo, useCallback, useDeferredValue, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type WheelEvent } from 'react';
import { useApp, useRetryStart } from '../store/context.js';
import { estimateRowHeight, rowLayout, type RowLayout } from './rowEstimate.js';
import { useLocalZone } from './dates.js';
import { DaySeparator, TimelineRow } from './TimelineRow.js';
import { visibleTimelineItems, type DayStart, type TimelineEntry } from './timelineVisibility.js';
import { useTimelineFocus } from './useTimelineFocus.js';

/** Pixels from the top at which the next older page is requested. */
const LOAD_OLDER_THRESHOLD = 400;
/** Within this many pixels of the bottom the list counts as "at the bottom" and follows new text. */
const STICK_THRESHOLD = 32;

/**
 * The master timeline: virtualized, so only the rows in view (plus a few) are in the DOM however
 * long it gets. It follows a streaming reply while the reader is at the bottom and stays put when
 * they scrolled up; older pages load when the top comes near.
 */
export function Timeline() {
  const allItems = useApp((s) => s.timelineItems);
  // A string, so the list is recomputed only when the set of waiting runs changes.
  const waitingKey = useApp((s) => waitingRunsKey(s.activeRuns));
  // Filtered before the virtualizer counts them, so a hidden item leaves no zero-height slot behind.
  // The zone too: when it changes, the list is drawn again with the days of the new one.
  const zone = useLocalZone();
  const { rows: items, dayStarts } = useMemo(
    () => visibleTimelineItems(allItems, new Set(waitingKey ? waitingKey.split('\n') : [])),
    [allItems, waitingKey, zone],
  );
  const status = useApp((s) => s.timelineStatus);
  const error = useApp((s) => s.timelineError);
  const hasOlder = useApp((s) => s.hasOlder);
  const loadingOlder = useApp((s) => s.loadingOlder);
  const olderError = useApp((s) => s.olderError);
  const loadOlder = useApp((s) => s.loadOlder);
  const retry = useRetryStart();
  const scroller = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const [atBottom, setAtBottom] = useState(true);

  const getItemKey = useCallback((i: number) => items[i]?.id ?? i, [items]);
  // Rows not yet drawn are estimated from their text at the list's width; drawn rows keep their measured size.
  const [width, setWidth] = useState(() => (window.innerWidth < 600 ? window.innerWidth - 56 : window.innerWidth - 220));
  const layout = useMemo<RowLayout>(() => rowLayout(width, window.innerWidth), [width]);
  // Kept by index for this list and width: the virtualizer asks again for every row below a row it
  // measures.
  const estimates = useMemo(() => new Float64Array(items.length), [items, dayStarts, layout]);
  const estimateSize = useCallback((i: number) => {
    if (estimates[i]) return estimates[i];
    const item = items[i];
    return (estimates[i] = estimateRowHeight(item, layout, item ? dayStarts.has(item.id) : false));
  }, [estimates, items, dayStarts, layout]);
  const virtualizer = useVirtualizer({
    // Scrolling re-renders after the scroll event, batched with other updates, never inside it:
    // a synchronous render per scroll event made every fast flick a chain of long tasks.
    useFlushSync: false,
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize,
    getItemKey,
    overscan: 6,
    anchorTo: 'end',
    followOnAppend: true,
    scrollEndThreshold: STICK_THRESHOLD,
    paddingStart: 12,
    paddingEnd: 12,
  });

  // Rows a scroll brings into view are drawn at a lower priority than the scroll, in slices the
  // browser can paint between, so a fast flick never blocks a frame; meanwhile the rows drawn last
  // stay. A changed list (an older page, a new item, a growing reply) is drawn at once, since the
  // virtualizer has already moved the scroll position for it, and without a second, deferred pass:
  // only a change of which rows are in view is deferred.
  const rows = virtualizer.getVirtualItems();
  const current = useMemo<WindowView>(() => ({ rows, items, dayStarts }), [rows, items, dayStarts]);
  const range = rows.length ? `${rows[0].index}-${rows[rows.length - 1].index}` : '';
  const deferredRange = useDeferredValue(range);
  const drawn = useRef<WindowView | null>(null);
  const view = deferredRange === range || !drawn.current || drawn.current.items !== items ? current : drawn.current;
  useLayoutEffect(() => {
    drawn.current = view;
  }, [view]);

  useState(() => skipEndCheckWhenFar(virtualizer));

  // The memory pane can ask for the message a memory came from.
  const focused = useTimelineFocus(virtualizer, items);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    // Whole tens of pixels, so a resize by a pixel does not estimate every row again.
    const observer = new ResizeObserver(() => setWidth(Math.round(el.clientWidth / 10) * 10));
    observer.observe(el);
    return () => observer.disconnect();
  }, [status, items.length === 0]);

  // Opening the timeline starts at the newest item.
  const ready = status === 'ready';
  const initialised = useRef(false);
  useLayoutEffect(() => {
    if (!ready || initialised.current || items.length === 0) return;
    initialised.current = true;
    virtualizer.scrollToIndex(items.length - 1, { align: 'end' });
  }, [ready, items.length, virtualizer]);

  // A growing reply changes the height of the last row, not the count; follow it when at the bottom.
  const totalSize = virtualizer.getTotalSize();
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || !stick.current) return;
    if (el.scrollHeight - el.scrollTop - el.clientHeight > 1) el.scrollTop = el.scrollHeight;
  }, [totalSize, items]);

  // The reader reaching for older text stops the following at once: the scroll event comes a
  // frame later, and text streaming in meanwhile must not pull the view back down.
  const onReaderScrollsUp = useCallback(() => {
    stick.current = false;
  }, []);
  const onWheel = useCallback((event: WheelEvent) => {
    if (event.deltaY < 0) stick.current = false;
  }, []);
  const onKeyDown = useCallback((event: KeyboardEvent) => {
    if (['ArrowUp', 'PageUp', 'Home'].includes(event.key)) stick.current = false;
  }, []);

  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    stick.current = el.scrollHeight - el.scrollTop - el.clientHeight <= STICK_THRESHOLD;
    setAtBottom(stick.current);
    if (el.scrollTop < LOAD_OLDER_THRESHOLD) void loadOlder();
  }, [loadOlder]);

  // A page that does not fill the view cannot be scrolled to its top; load more until it does.
  useEffect(() => {
    const el = scroller.current;
    if (el && ready && hasOlder && !loadingOlder && !olderError && el.scrollHeight <= el.clientHeight + LOAD_OLDER_THRESHOLD) void loadOlder();
  }, [ready, hasOlder, loadingOlder, olderError, totalSize, loadOlder]);

  if (status === 'loading' && items.length === 0) {
    return (
      <div className="timeline-state" data-testid="timeline-loading" role="status">
        Loading the timeline…
      </div>
    );
  }
  if (status === 'error') {
    return (
      <div className="timeline-state timeline-state-error" data-testid="timeline-error" role="alert">
        <p>{error}</p>
        <button type="button" onClick={retry}>
          Try again
        </button>
      </div>
    );
  }
  if (items.length === 0) {
    return (
      <div className="timeline-state" data-testid="empty-state">
        <p className="empty-title">Say hello…</p>
        <p className="empty-hint">Your conversation with Agent Blob appears here. Replies stream in as they are written.</p>
      </div>
    );
  }

  const jumpToLatest = () => {
    stick.current = true;
    setAtBottom(true);
    virtualizer.scrollToEnd();
  };

  return (
    <div className="timeline-wrap">
      <div
        className="timeline"
        ref={scroller}
        onScroll={onScroll}
        onWheel={onWheel}
        onKeyDown={onKeyDown}
        onTouchStart={onReaderScrollsUp}
        data-testid="timeline"
        role="region"
        aria-label="Timeline"
        tabIndex={0}
      >
        <div className="timeline-inner" style={{ height: virtualizer.getTotalSize() }}>
          <TimelineWindow view={view} focused={focused} measure={virtualizer.measureElement} />
        </div>
      </div>
      {/* Over the list, not in it: the virtualizer's offsets count from the top of the scroller. */}
      {loadingOlder || olderError ? (
        <div className="timeline-older" data-testid="timeline-older" role="status">
          {olderError ? (
            <span className="inline-error">
              {olderError}{' '}
              <button type="button" onClick={() => void loadOlder()}>
                Retry
              </button>
            </span>
          ) : (
            'Loading older messages…'
          )}
        </div>
      ) : null}
      {atBottom ? null : (
        <button type="button" className="jump-latest" data-testid="jump-latest" onClick={jumpToLatest}>
          Jump to latest ↓
        </button>
      )}
    </div>
  );
}

interface WindowView {
  rows: VirtualItem[];
  items: TimelineEntry[];
  dayStarts: ReadonlyMap<string, DayStart>;
}

/** The rows in view, placed where the virtualizer measured them. */
const TimelineWindow = memo(function TimelineWindow({ view, focused, measure }: { view: WindowView; focused: string | null; measure: (node: Element | null) => void }) {
  const { rows, items, dayStarts } = view;
  return (
    <div className="timeline-window" style={{ transform: `translateY(${rows[0]?.start ?? 0}px)` }}>
      {rows.map((row) => {
        const item = items[row.index];
        const dayStart = item ? dayStarts.get(item.id) : undefined;
        return (
          <div key={row.key} data-index={row.index} ref={measure} className={`timeline-slot${item?.id === focused ? ' timeline-focused' : ''}`}>
            {dayStart ? <DaySeparator day={dayStart.day} ts={dayStart.ts} /> : null}
            <TimelineRow item={item} />
          </div>
        );
      })}
    </div>
  );
});

/** The part of the virtualizer `skipEndCheckWhenFar` uses: its last layout (public) and three methods it keeps private. */
interface EndCheck {
  getVirtualDistanceFromEnd(): number;
  getSize(): number;
  getScrollOffset(): number;
  measurementsCache: readonly VirtualItem[];
  options: { count: number };
}

/**
 * The virtualizer asks, for every row it measures, whether the list was at its end, and to answer it
 * lays out every row from the measured one down (10,000 rows for each row of an older page coming
 * into view). A list many screens from its end was not at its end whatever the rows measured since
 * the last layout changed, so that answer comes from the last layout (the end of its last row); near
 * the end it asks as before.
 */
function skipEndCheckWhenFar(virtualizer: unknown): void {
  const v = virtualizer as EndCheck;
  const exact = v.getVirtualDistanceFromEnd.bind(v);
  v.getVirtualDistanceFromEnd = () => {
    const laidOut = v.measurementsCache;
    // A layout of another count of rows is not the last layout of this list.
    const last = laidOut.length === v.options.count ? laidOut[laidOut.length - 1] : undefined;
    if (!last) return exact();
    const distance = last.end - v.getSize() - v.getScrollOffset();
    return distance > 10 * Math.max(v.getSize(), 400) ? distance : exact();
  };
}

function waitingRunsKey(runs: Record<string, { id: string; status: string }>): string {
  let key = '';
  for (const run of Object.values(runs)) if (run.status === 'waiting_permission') key += (key ? '\n' : '') + run.id;
  return key;
}
