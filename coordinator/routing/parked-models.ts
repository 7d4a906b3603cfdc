/**
 * The models parked by rate limits (scope `model`), as routing asks for them on every claim: read from the
 * store at most once a second (single flight), so choosing a model adds no statement to most claims. A
 * model parked meanwhile is skipped from the next read on; a run given it before parks again and restarts.
 */
import type { Store } from '../store/store.js';

/** How long one read of the parked models is used. */
export const PARKED_MODELS_TTL_MS = 1000;

export function parkedModelsReader(store: Pick<Store, 'parkedModels'>, ttlMs = PARKED_MODELS_TTL_MS): () => Promise<ReadonlySet<string>> {
  let read: { at: number; models: Promise<ReadonlySet<string>> } | null = null;
  return () => {
    const now = Date.now();
    if (read === null || now - read.at >= ttlMs) {
      const models = store.parkedModels(now);
      read = { at: now, models };
      // A failed read is not kept: the next claim reads again.
      models.catch(() => {
        if (read?.models === models) read = null;
      });
    }
    return read.models;
  };
}
