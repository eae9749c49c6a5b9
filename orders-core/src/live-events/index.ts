/**
 * Live events: the relay that turns committed order and menu changes into Redis Stream entries
 * (run by the worker), and the typed reader the gateway follows the stream with.
 */
export {
  DEFAULT_LIVE_EVENTS_BATCH_SIZE,
  DEFAULT_LIVE_EVENTS_POLL_MS,
  DEFAULT_LIVE_EVENTS_RETENTION_SECONDS,
  LiveEventsRelay,
  MIN_LIVE_EVENTS_RETENTION_SECONDS,
  type LiveEventsRelayOptions,
  type PublishedEntry,
} from './live-events-relay.js';
export { lastLiveEventId, oldestLiveEventId, rangeLiveEvents, readLiveEvents } from './live-events-reader.js';
export {
  liveEventsCursorKey,
  liveEventsStreamKey,
  parseLiveEventBatch,
  type LiveEventBatch,
  type LiveEventEntry,
  type LiveOrderEvent,
} from './live-events-format.js';
