import { RUN_STATUSES, type RunStatus } from '../../protocol/statuses.js';
import type { UsageTotalsRecord } from '../store/ops/list-usage-totals.js';

/** Claim latency bucket bounds, in seconds. */
export const CLAIM_LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** A Prometheus histogram of claim latencies (run claimable → claimed), kept in this process. */
export class LatencyHistogram {
  readonly counts = CLAIM_LATENCY_BUCKETS.map(() => 0);
  count = 0;
  sum = 0;

  /** Record one latency in seconds. */
  observe(seconds: number): void {
    this.count += 1;
    this.sum += seconds;
    CLAIM_LATENCY_BUCKETS.forEach((bound, i) => {
      if (seconds <= bound) this.counts[i]! += 1;
    });
  }
}

export interface MetricsSnapshot {
  runsByState: Partial<Record<RunStatus, number>>;
  runnersOnline: number;
  /** Long-polls parked in this process, waiting for a run. */
  pollsWaiting: number;
  /** Other coordinator replicas this one hears on PostgreSQL (0 on SQLite). */
  replicaPeers: number;
  /** Parked long-polls woken for a run so far. */
  pollWakeups: number;
  /** Run reports received alone (`/reports`) and with long-polls. */
  reportsReceived: { request: number; poll: number };
  claimLatency: LatencyHistogram;
  /** Tokens and cost per agent and per executor (usage_totals); absent: the usage counters are left out. */
  usage?: readonly UsageTotalsRecord[];
}

/** A Prometheus label value, escaped (backslash, double quote, line feed), inside its quotes. Pure. */
export function labelValue(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`;
}

const TOKEN_KINDS = [
  ['input', 'input_tokens'],
  ['output', 'output_tokens'],
  ['cache_read', 'cache_read_input_tokens'],
  ['cache_creation', 'cache_creation_input_tokens'],
] as const;

/**
 * Token and cost counters, each series by agent (label `agent`, `""` for sessions without one) or by
 * executor (label `executor`): sum one of the two, not both (every run is in each).
 */
function usageLines(usage: readonly UsageTotalsRecord[]): string[] {
  const label = (t: UsageTotalsRecord) => `${t.scope === 'agent' ? 'agent' : 'executor'}=${labelValue(t.name)}`;
  return [
    '# HELP agent_coordinator_tokens_total Tokens used by runs, by agent or by executor, and kind (input, output, cache_read, cache_creation).',
    '# TYPE agent_coordinator_tokens_total counter',
    ...usage.flatMap((t) => TOKEN_KINDS.map(([kind, field]) => `agent_coordinator_tokens_total{${label(t)},kind="${kind}"} ${t[field]}`)),
    '# HELP agent_coordinator_cost_usd_total Cost of runs in US dollars as executors reported it, by agent or by executor.',
    '# TYPE agent_coordinator_cost_usd_total counter',
    ...usage.map((t) => `agent_coordinator_cost_usd_total{${label(t)}} ${t.cost_usd}`),
  ];
}

/** Render the Prometheus text exposition format. Pure. */
export function renderMetrics(m: MetricsSnapshot): string {
  const lines = [
    '# HELP agent_coordinator_runs Runs in each state.',
    '# TYPE agent_coordinator_runs gauge',
    ...RUN_STATUSES.map((s) => `agent_coordinator_runs{state="${s}"} ${m.runsByState[s] ?? 0}`),
    '# HELP agent_coordinator_queue_depth Runs waiting to be claimed.',
    '# TYPE agent_coordinator_queue_depth gauge',
    `agent_coordinator_queue_depth ${m.runsByState.queued ?? 0}`,
    '# HELP agent_coordinator_runners_online Runners whose lease holds.',
    '# TYPE agent_coordinator_runners_online gauge',
    `agent_coordinator_runners_online ${m.runnersOnline}`,
    '# HELP agent_coordinator_polls_waiting Next-run long-polls parked in this process.',
    '# TYPE agent_coordinator_polls_waiting gauge',
    `agent_coordinator_polls_waiting ${m.pollsWaiting}`,
    '# HELP agent_coordinator_poll_wakeups_total Parked long-polls woken to claim a run (one per run when all goes well).',
    '# TYPE agent_coordinator_poll_wakeups_total counter',
    `agent_coordinator_poll_wakeups_total ${m.pollWakeups}`,
    '# HELP agent_coordinator_run_reports_total Run reports received (one per run a request reported on), alone (via="request") or with a long-poll (via="poll").',
    '# TYPE agent_coordinator_run_reports_total counter',
    `agent_coordinator_run_reports_total{via="request"} ${m.reportsReceived.request}`,
    `agent_coordinator_run_reports_total{via="poll"} ${m.reportsReceived.poll}`,
    '# HELP agent_coordinator_replica_peers Other coordinator replicas heard on the database\'s channel in the last 30 s.',
    '# TYPE agent_coordinator_replica_peers gauge',
    `agent_coordinator_replica_peers ${m.replicaPeers}`,
    '# HELP agent_coordinator_claim_latency_seconds From a run becoming claimable to its claim (this process).',
    '# TYPE agent_coordinator_claim_latency_seconds histogram',
    ...CLAIM_LATENCY_BUCKETS.map(
      (b, i) => `agent_coordinator_claim_latency_seconds_bucket{le="${b}"} ${m.claimLatency.counts[i]}`,
    ),
    `agent_coordinator_claim_latency_seconds_bucket{le="+Inf"} ${m.claimLatency.count}`,
    `agent_coordinator_claim_latency_seconds_sum ${m.claimLatency.sum}`,
    `agent_coordinator_claim_latency_seconds_count ${m.claimLatency.count}`,
    ...(m.usage === undefined ? [] : usageLines(m.usage)),
  ];
  return `${lines.join('\n')}\n`;
}
