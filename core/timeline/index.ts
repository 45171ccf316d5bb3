export { createTimelineProjector, TimelineQueries } from './projection.js';
