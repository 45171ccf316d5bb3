import { useEffect, useRef, useState } from 'react';
import type { Virtualizer } from '@tanstack/react-virtual';
import type { TimelineEntry } from './timelineVisibility.js';
import { useApp } from '../store/context.js';

/**
 * Scrolls the timeline to the message a memory came from (set by the memory pane), loading older
 * pages until it is there, and returns its id for a brief highlight.
 */
export function useTimelineFocus(virtualizer: Virtualizer<HTMLDivElement, Element>, items: readonly TimelineEntry[]): string | null {
  const focus = useApp((s) => s.timelineFocus);
  const hasOlder = useApp((s) => s.hasOlder);
  const loadingOlder = useApp((s) => s.loadingOlder);
  const loadOlder = useApp((s) => s.loadOlder);
  const [highlight, setHighlight] = useState<string | null>(null);
  const [done, setDone] = useState<number | null>(null);
  const frame = useRef(0);
  useEffect(() => () => cancelAnimationFrame(frame.current), []);
  useEffect(() => {
    if (!focus || done === focus.nonce) return;
    const index = items.findIndex((i) => i.id === focus.messageId);
    if (index >= 0) {
      // Rows are measured as they render and the timeline follows the bottom on first open; keep
      // centring for a few frames until both have settled.
      let frames = 0;
      const settle = () => {
        virtualizer.scrollToIndex(index, { align: 'center' });
        if (++frames < 12) frame.current = requestAnimationFrame(settle);
      };
      settle();
      setHighlight(focus.messageId);
      setDone(focus.nonce);
      return;
    }
    if (hasOlder && !loadingOlder) void loadOlder();
    else if (!hasOlder) setDone(focus.nonce);
  }, [focus, done, items, hasOlder, loadingOlder, loadOlder, virtualizer]);
  useEffect(() => {
    if (!highlight) return;
    const timer = setTimeout(() => setHighlight(null), 4000);
    return () => clearTimeout(timer);
  }, [highlight]);
  return highlight;
}
