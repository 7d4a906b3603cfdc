import type { Logger } from 'pino';
import type { CoordinatorTimings } from '../constants.js';
import { WakeHub } from '../events/wake-hub.js';
import type { Store } from '../store/store.js';
import { LatencyHistogram } from './metrics-text.js';

/** What every handler needs: the store, wake-ups, timings, the logger and in-process metrics. */
export interface CoordinatorContext {
  store: Store;
  hub: WakeHub;
  timings: CoordinatorTimings;
  logger: Logger;
  apiToken: string | null;
  maxBodyBytes: number;
  claimLatency: LatencyHistogram;
  /** Stop requests already handed to each runner's long-poll (heartbeats always repeat them). */
  deliveredStops: Map<string, Set<string>>;
  /** Signal a topic here and, on PostgreSQL, to the other replicas. */
  wake(topic: string): void;
}

/** Build the context; `wake` signals locally and forwards to the store's NOTIFY. */
export function createContext(fields: Omit<CoordinatorContext, 'hub' | 'claimLatency' | 'deliveredStops' | 'wake'>): CoordinatorContext {
  const hub = new WakeHub();
  return {
    ...fields,
    hub,
    claimLatency: new LatencyHistogram(),
    deliveredStops: new Map(),
    wake(topic) {
      hub.signal(topic);
      if (fields.store.dialect === 'postgres') {
        fields.store.sql.notify(topic).catch((error: unknown) => fields.logger.warn({ err: error, topic }, 'NOTIFY failed'));
      }
    },
  };
}
