import type { StoreChange } from '../store/store-changes.js';

const ENDED = new Set(['succeeded', 'failed', 'cancelled', 'timed_out']);

/**
 * Whether committed changes this process made include a run's end (its `run_status` event), which may
 * have enqueued a notification: the delivery worker looks at once instead of at its next poll. Pure.
 */
export function runEndHeard(changes: readonly StoreChange[]): boolean {
  return changes.some((c) => c.kind === 'events' && c.events?.some((e) => e.type === 'run_status' && ENDED.has(String((e.data as { status?: unknown }).status))) === true);
}
