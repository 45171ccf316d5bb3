/** The timeline: one row per item, each in a thread, kept by the event log; background runs' results posted into the chat. */
export { TimelineQueries, createTimelineProjector } from './projection.js';
export { createTimelineModule, type TimelineModule } from './module.js';
export { RESULT_SUMMARY_MAX, isChatThread, type ResultBoard, type ResultDescriber, type ResultSource } from './results.js';
