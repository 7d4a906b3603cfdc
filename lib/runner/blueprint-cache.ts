import type { AgentBlueprint } from '../invocation/schema.js';

export type FetchBlueprint = (name: string, etag?: string) => Promise<{ blueprint: AgentBlueprint; etag: string | undefined } | null>;

interface Entry {
  blueprint: AgentBlueprint;
  etag: string | undefined;
}

/**
 * Agent blueprints by name, revalidated with the coordinator's ETag: a run that names the version it
 * needs (`agent_etag`) is served from the cache without a request when the version matches; otherwise
 * the blueprint is fetched with `If-None-Match`, so an unchanged one costs a 304 and a changed one is
 * replaced.
 */
export class BlueprintCache {
  readonly #fetch: FetchBlueprint;
  readonly #entries = new Map<string, Entry>();
  /** Requests made, for tests and metrics. */
  fetches = 0;

  constructor(fetch: FetchBlueprint) {
    this.#fetch = fetch;
  }

  async get(name: string, wantedEtag?: string | null): Promise<AgentBlueprint> {
    const cached = this.#entries.get(name);
    if (cached !== undefined && wantedEtag != null && cached.etag === wantedEtag) return cached.blueprint;
    this.fetches += 1;
    const fetched = await this.#fetch(name, cached?.etag);
    if (fetched === null) {
      if (cached === undefined) throw new Error(`agent "${name}": the coordinator answered 304 for a blueprint never fetched`);
      return cached.blueprint;
    }
    this.#entries.set(name, fetched);
    return fetched.blueprint;
  }
}
