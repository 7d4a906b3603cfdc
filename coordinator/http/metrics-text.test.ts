import { describe, expect, it } from 'vitest';
import { LatencyHistogram, renderMetrics } from './metrics-text.js';

describe('renderMetrics', () => {
  it('renders runs by state, queue depth, runners online and the claim latency histogram', () => {
    const h = new LatencyHistogram();
    h.observe(0.002);
    h.observe(0.2);
    const text = renderMetrics({ runsByState: { queued: 4, running: 1 }, runnersOnline: 2, pollsWaiting: 1, replicaPeers: 0, pollWakeups: 3, claimLatency: h });
    expect(text).toContain('agent_coordinator_runs{state="queued"} 4');
    expect(text).toContain('agent_coordinator_runs{state="lost"} 0');
    expect(text).toContain('agent_coordinator_queue_depth 4');
    expect(text).toContain('agent_coordinator_runners_online 2');
    expect(text).toContain('agent_coordinator_polls_waiting 1');
    expect(text).toContain('agent_coordinator_claim_latency_seconds_bucket{le="0.0025"} 1');
    expect(text).toContain('agent_coordinator_claim_latency_seconds_bucket{le="+Inf"} 2');
    expect(text).toContain('agent_coordinator_claim_latency_seconds_count 2');
  });
});
