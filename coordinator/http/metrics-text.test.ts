import { describe, expect, it } from 'vitest';
import { labelValue, LatencyHistogram, renderMetrics } from './metrics-text.js';

describe('renderMetrics', () => {
  it('renders runs by state, queue depth, runners online and the claim latency histogram', () => {
    const h = new LatencyHistogram();
    h.observe(0.002);
    h.observe(0.2);
    const text = renderMetrics({ runsByState: { queued: 4, running: 1 }, runnersOnline: 2, pollsWaiting: 1, replicaPeers: 0, pollWakeups: 3, reportsReceived: { request: 5, poll: 7 }, claimLatency: h });
    expect(text).toContain('agent_coordinator_runs{state="queued"} 4');
    expect(text).toContain('agent_coordinator_runs{state="lost"} 0');
    expect(text).toContain('agent_coordinator_queue_depth 4');
    expect(text).toContain('agent_coordinator_runners_online 2');
    expect(text).toContain('agent_coordinator_polls_waiting 1');
    expect(text).toContain('agent_coordinator_run_reports_total{via="request"} 5');
    expect(text).toContain('agent_coordinator_run_reports_total{via="poll"} 7');
    expect(text).toContain('agent_coordinator_claim_latency_seconds_bucket{le="0.0025"} 1');
    expect(text).toContain('agent_coordinator_claim_latency_seconds_bucket{le="+Inf"} 2');
    expect(text).toContain('agent_coordinator_claim_latency_seconds_count 2');
  });

  it('renders token and cost counters by agent and by executor, with label values escaped', () => {
    const at = { runs: 1, input_tokens: 10, output_tokens: 2, cache_read_input_tokens: 3, cache_creation_input_tokens: 4, cost_usd: 0.25, updated_at: 1 };
    const text = renderMetrics({
      runsByState: {}, runnersOnline: 0, pollsWaiting: 0, replicaPeers: 0, pollWakeups: 0, reportsReceived: { request: 0, poll: 0 }, claimLatency: new LatencyHistogram(),
      usage: [
        { scope: 'agent', name: 'coder', ...at },
        { scope: 'agent', name: 'evil"} 1\nagent_coordinator_cost_usd_total{agent="x', ...at },
        { scope: 'executor', name: 'claude-code', ...at },
      ],
    });
    expect(text).toContain('# TYPE agent_coordinator_tokens_total counter');
    expect(text).toContain('agent_coordinator_tokens_total{agent="coder",kind="input"} 10');
    expect(text).toContain('agent_coordinator_tokens_total{agent="coder",kind="cache_creation"} 4');
    expect(text).toContain('agent_coordinator_tokens_total{executor="claude-code",kind="output"} 2');
    expect(text).toContain('agent_coordinator_cost_usd_total{executor="claude-code"} 0.25');
    // One line per series: a hostile name cannot start a line of its own or close its label early.
    expect(text).toContain('agent_coordinator_cost_usd_total{agent="evil\\"} 1\\nagent_coordinator_cost_usd_total{agent=\\"x"} 0.25');
    const costLines = text.split('\n').filter((l) => l.startsWith('agent_coordinator_cost_usd_total'));
    expect(costLines).toHaveLength(3);
    expect(labelValue('a\\b')).toBe('"a\\\\b"');
  });
});
