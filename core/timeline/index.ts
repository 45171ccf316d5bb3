/** The master timeline: one row per item, kept by the event log. */
export { TimelineQueries, createTimelineProjector } from './projection.js';
export { createTimelineModule, type TimelineModule } from './module.js';
