import type { Logger } from 'pino';
import type { AgentsFolder } from '../agents/agents-folder.js';
import type { McpRegistry } from '../agents/mcp-registry.js';
import type { SkillsFolder } from '../skills/skills-folder.js';
import type { WorkflowsFolder } from '../workflows/workflows-folder.js';
import type { CoordinatorTimings } from '../constants.js';
import { ChangesFeed } from '../events/changes-feed.js';
import { ParkedPolls } from '../events/parked-polls.js';
import { parkedModelsReader } from '../routing/parked-models.js';
import { CHANGES_TOPIC, runnerTopic, sessionTopic, treeTopic, WakeHub, workflowTopic } from '../events/wake-hub.js';
import type { RunRequirement } from '../rules/matching.js';
import type { StoreChange } from '../store/store-changes.js';
import type { Store } from '../store/store.js';
import { LatencyHistogram } from './metrics-text.js';
import { RunnerTokens } from './runner-tokens.js';
import type { RoutingTable } from '../routing/routing-table.js';

/** What every handler needs: the store, wake-ups, timings, the logger and in-process metrics. */
export interface CoordinatorContext {
  store: Store;
  hub: WakeHub;
  /** The store's changes summed up for the followers of `GET /v1/changes`, one message for all of them. */
  changes: ChangesFeed;
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
  /** The skills folder (`--skills-dir`) it serves; null when it has none. */
  skillsFolder: SkillsFolder | null;
  /** The shared MCP servers (`--mcp-servers`) blueprints name in `shared_mcp_servers`. */
  mcpRegistry: McpRegistry;
  /** The workflows folder this coordinator loads and watches; null when it has none. */
  workflowsFolder: WorkflowsFolder | null;
  /** The model routing rules in use (`--routing`; none: every run gets its blueprint's own model). */
  routing: RoutingTable;
  /** Models parked by rate limits now (read at most once a second): routing leaves them out of every list. */
  unavailableModels: () => Promise<ReadonlySet<string>>;
  claimLatency: LatencyHistogram;
  /** Stop requests already handed to each runner's long-poll (heartbeats always repeat them). */
  deliveredStops: Map<string, Set<string>>;
  /** Runners told of a stop request since their long-poll last looked (it looks on its first poll and then only for these). */
  stopsPending: Set<string>;
  /** Each runner's last long-poll that claimed runs (its request id and the runs), to answer a retry of it again. */
  pollClaims: Map<string, { requestId: string; runIds: string[] }>;
  /** Run reports received (one per run a request reported on), by how they came: alone (`/reports`) or with a long-poll. */
  reportsReceived: { request: number; poll: number };
  /** Runner tokens the store accepted lately (auth.ts), forgotten when their runner deregisters. */
  runnerTokens: RunnerTokens;
  /** Runner long-polls parked here, woken only by runs they can take. */
  parked: ParkedPolls;
  /** Tell a runner's long-poll (here or on another replica) that it has something to hear: a stop request. */
  wakeRunner(runnerId: string): void;
  /** Offer a run that became claimable without a store change saying so (its backoff ended) to the parked polls, here and on other replicas. */
  offerRun(run: RunRequirement): void;
}

/** Build the context; `wake` signals locally and forwards to the store's NOTIFY. */
export function createContext(
  fields: Omit<CoordinatorContext, 'hub' | 'changes' | 'parked' | 'runnerTokens' | 'claimLatency' | 'deliveredStops' | 'stopsPending' | 'pollClaims' | 'reportsReceived' | 'wakeRunner' | 'offerRun' | 'startedAt' | 'unavailableModels'> &
    Partial<Pick<CoordinatorContext, 'unavailableModels'>>,
): CoordinatorContext {
  const hub = new WakeHub();
  const parked = new ParkedPolls();
  return {
    unavailableModels: parkedModelsReader(fields.store),
    ...fields,
    startedAt: Date.now(),
    hub,
    changes: new ChangesFeed(hub, { keepAliveMs: fields.timings.sseKeepAliveMs }),
    parked,
    claimLatency: new LatencyHistogram(),
    deliveredStops: new Map(),
    stopsPending: new Set(),
    pollClaims: new Map(),
    reportsReceived: { request: 0, poll: 0 },
    runnerTokens: new RunnerTokens(),
    wakeRunner: (runnerId) => fields.store.sql.announce({ kind: 'runner', runner_id: runnerId }),
    offerRun: (run) => fields.store.sql.announce({ kind: 'claimable', requirement: { executor: run.executor, tags: run.tags, excluded_runners: run.excluded_runners ?? [] } }),
  };
}

/**
 * Hand the store's committed changes to whoever waits for them here: a session's watchers (with its
 * new events when this process stored them), a runner's long-poll (and its token is checked against the
 * store again: it may have deregistered on another replica), and as many parked long-polls as the runs
 * that became claimable need.
 */
export function dispatchChanges(ctx: Pick<CoordinatorContext, 'hub' | 'parked' | 'stopsPending' | 'runnerTokens'>, changes: readonly StoreChange[]): void {
  const claimable: RunRequirement[] = [];
  for (const change of changes) {
    if (change.kind === 'events') ctx.hub.signal(sessionTopic(change.session_id), change.events);
    else if (change.kind === 'runner') {
      ctx.runnerTokens.forget(change.runner_id);
      ctx.stopsPending.add(change.runner_id);
      ctx.hub.signal(runnerTopic(change.runner_id));
    } else if (change.kind === 'tree') ctx.hub.signal(treeTopic(change.root_session_id));
    else if (change.kind === 'workflow') ctx.hub.signal(workflowTopic(change.workflow_run_id));
    else if (change.kind !== 'claimable') continue;
    else if (change.at !== undefined && change.at > Date.now()) {
      // A retry waiting out its backoff: offered to the polls here once it may be taken (each replica
      // times its own; a restart in between leaves it to the polls' own re-polls).
      const requirement = change.requirement;
      setTimeout(() => ctx.parked.offer([requirement]), change.at - Date.now()).unref();
    } else claimable.push(change.requirement);
  }
  if (claimable.length > 0) ctx.parked.offer(claimable);
  if (ctx.hub.waiting(CHANGES_TOPIC) > 0) ctx.hub.signal(CHANGES_TOPIC, changes);
}
