import { type AgentBlueprint, AgentBlueprintSchema } from '../../protocol/invocation.js';
import { formatFieldIssues, toFieldIssues } from '../../protocol/field-issues.js';

/** GET /v1/agents/:name: the body as JSON (parsed by the cache), or null for 304. */
export type FetchBlueprint = (name: string, etag?: string) => Promise<{ blueprint: unknown; etag: string | undefined } | null>;

interface Entry {
  blueprint: AgentBlueprint;
  etag: string | undefined;
}

/**
 * Agent blueprints by name, revalidated with the coordinator's ETag: a run that names the version it
 * needs (`agent_etag`) is served from the cache without a request when the version matches; otherwise
 * the blueprint is fetched with `If-None-Match`, so an unchanged one costs a 304 and a changed one is
 * replaced. Runs that need the same agent at the same time share one request. What the coordinator
 * answers is validated before it is kept: an answer that is not a blueprint fails the run (as an
 * infrastructure failure, so it is retried) and is never cached.
 */
export class BlueprintCache {
  readonly #fetch: FetchBlueprint;
  readonly #entries = new Map<string, Entry>();
  readonly #inFlight = new Map<string, Promise<AgentBlueprint>>();
  /** Requests made, for tests and metrics. */
  fetches = 0;

  constructor(fetch: FetchBlueprint) {
    this.#fetch = fetch;
  }

  async get(name: string, wantedEtag?: string | null): Promise<AgentBlueprint> {
    const cached = this.#entries.get(name);
    if (cached !== undefined && wantedEtag != null && cached.etag === wantedEtag) return cached.blueprint;
    let request = this.#inFlight.get(name);
    if (request === undefined) {
      request = this.#revalidate(name, cached).finally(() => this.#inFlight.delete(name));
      this.#inFlight.set(name, request);
    }
    return request;
  }

  async #revalidate(name: string, cached: Entry | undefined): Promise<AgentBlueprint> {
    this.fetches += 1;
    const fetched = await this.#fetch(name, cached?.etag);
    if (fetched === null) {
      if (cached === undefined) throw new Error(`agent "${name}": the coordinator answered 304 for a blueprint never fetched`);
      return cached.blueprint;
    }
    const checked = AgentBlueprintSchema.safeParse(fetched.blueprint);
    if (!checked.success) {
      throw new Error(`agent "${name}": the coordinator's answer is not a valid blueprint (${formatFieldIssues(toFieldIssues(checked.error))})`);
    }
    this.#entries.set(name, { blueprint: checked.data, etag: fetched.etag });
    return checked.data;
  }
}
