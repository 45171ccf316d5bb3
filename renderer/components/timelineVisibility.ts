import type { TimelineItem } from '../../core/contract/index.js';

const ENDED_EARLY = new Set(['failed', 'cancelled', 'interrupted']);

/**
 * A reply that ended (failed, stopped, interrupted) before the model wrote anything. It would be an
 * empty bubble; the error row and the run's status line already say what happened, so it is not shown.
 * Tool calls are their own rows, so hiding the message hides nothing the run did.
 */
export function isEmptyEndedReply(item: TimelineItem): boolean {
  return item.kind === 'message' && item.role === 'assistant' && ENDED_EARLY.has(item.status) && item.text.trim() === '';
}

/** The items the timeline shows, in order: the core's items minus empty ended replies. */
export function visibleTimelineItems(items: readonly TimelineItem[]): TimelineItem[] {
  return items.filter((item) => !isEmptyEndedReply(item));
}
