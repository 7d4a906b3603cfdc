import type { Logger } from 'pino';
import type { AgentsFolder } from '../agents/agents-folder.js';
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
  /** When this coordinator started (ms since the epoch). */
  startedAt: number;
  maxBodyBytes: number;
  /** The executor of a session that names none and whose agent names none (decided when it is created). */
  defaultExecutor: string;
  /** The agents folder this coordinator loads and watches; null when it has none. */
  agentsFolder: AgentsFolder | null;
  claimLatency: LatencyHistogram;
  /** Stop requests already handed to each runner's long-poll (heartbeats always repeat them). */
  deliveredStops: Map<string, Set<string>>;
  /** Each runner's last long-poll that claimed runs (its request id and the runs), to answer a retry of it again. */
  pollClaims: Map<string, { requestId: string; runIds: string[] }>;
  /** Signal a topic here and, on PostgreSQL, to the other replicas. */
  wake(topic: string): void;
  /** Note that a runner was heard from (stored at most once a second per runner: a poll comes every run). */
  touchRunner(runnerId: string): Promise<void>;
}

/** How often a runner's `last_seen_at` is written at most (far below any lease). */
export const TOUCH_INTERVAL_MS = 1_000;

/** Build the context; `wake` signals locally and forwards to the store's NOTIFY. */
export function createContext(fields: Omit<CoordinatorContext, 'hub' | 'claimLatency' | 'deliveredStops' | 'pollClaims' | 'wake' | 'touchRunner' | 'startedAt'>): CoordinatorContext {
  const hub = new WakeHub();
  const touchedAt = new Map<string, number>();
  return {
    ...fields,
    startedAt: Date.now(),
    hub,
    claimLatency: new LatencyHistogram(),
    deliveredStops: new Map(),
    pollClaims: new Map(),
    wake(topic) {
      hub.signal(topic);
      if (fields.store.dialect === 'postgres') {
        fields.store.sql.notify(topic).catch((error: unknown) => fields.logger.warn({ err: error, topic }, 'NOTIFY failed'));
      }
    },
    async touchRunner(runnerId) {
      const now = Date.now();
      if (now - (touchedAt.get(runnerId) ?? 0) < TOUCH_INTERVAL_MS) return;
      touchedAt.set(runnerId, now);
      await fields.store.touchRunner(runnerId, now);
    },
  };
}
