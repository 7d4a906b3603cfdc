/** The one queue of the peers bench's BullMQ (its redis-server is the bench's own). */
export const QUEUE_NAME = 'peers';
