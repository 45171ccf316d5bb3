export { EventLog, type EventListener, type Projector } from './log.js';
export { DeltaCoalescer } from './coalescer.js';
export { countEvents, deleteEventsByField, deleteFinishedDeltas, eventLogHead } from './retention.js';
export { EventQueries } from './queries.js';
