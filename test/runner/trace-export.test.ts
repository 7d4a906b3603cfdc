import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { attemptSpanId, runSpanId } from '../../lib/trace/trace-ids.js';
import { ROOT, WAIT_MS } from '../helpers/fixtures.js';
import { startOtlpReceiver } from '../helpers/otlp-receiver.js';
import { createSession, useRunnerKit, waitForSession } from './runner-kit.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CI_SPAN = '00f067aa0ba902b7';
const RECORDER = join(ROOT, 'test', 'fixtures', 'module-recorder', 'register.mjs');

/** What the report-trace fixture saw, from its session's result. */
interface TraceReport {
  traceparent: string | null;
  metadata_traceparent: string | null;
  otel_endpoint: string | null;
  otel_headers: string | null;
}

// Real processes: a coordinator, two runners, the `run` command and executors, all exporting to an OTLP
// receiver on loopback. Every wait is on a process, a session state or the spans arriving.
describe('one trace across machines (issue 14)', { timeout: 180_000 }, () => {
  const kit = useRunnerKit();
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>> | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  it("a three-level tree over two runners is one trace: the CI job's span, then each run's span under its parent session's, each attempt under its run", async () => {
    receiver = await startOtlpReceiver();
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
    const { url, api } = await kit().coordinator({ env: otel });
    // The exporter's headers (a backend's key) are used by the runner, and never reach an executor.
    await kit().daemon(['-c', url, '-x', 'report-trace'], { ...otel, OTEL_EXPORTER_OTLP_HEADERS: 'x-backend-key=backend-secret' });
    await kit().daemon(['-c', url, '-x', 'test-executor'], otel);

    // The root through `agent-runner run`, which continues the trace of its environment (a CI job's).
    const run = await kit().cli(['run', '-c', url, '-x', 'report-trace', '--json', 'root'], { env: { TRACEPARENT: `00-${TRACE}-${CI_SPAN}-01` } });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const rootId = JSON.parse(run.stdout.trim().split('\n').at(-1)!).session_id as string;
    const rootRun = (await api('GET', `/v1/sessions/${rootId}`)).body.last_run_id as string;
    const child = await createSession(api, { executor: 'test-executor', prompt: 'child', parent_session_id: rootId });
    const grandchild = await createSession(api, { executor: 'report-trace', prompt: 'grandchild', parent_session_id: child.session_id });
    await waitForSession(api, child.session_id, ['idle']);
    const ended = await waitForSession(api, grandchild.session_id, ['idle']);

    const runs = [rootRun, child.run_id, grandchild.run_id];
    await receiver.until((spans) => spans.length >= 6, 'three run spans and three attempt spans', WAIT_MS);
    const spans = receiver.spans;
    expect(spans).toHaveLength(6);
    // One trace, the CI job's, holding every level once.
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([TRACE]));
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    expect(byId.size).toBe(6);
    const runSpans = runs.map((id) => byId.get(runSpanId(id))!);
    const attemptSpans = runs.map((id) => byId.get(attemptSpanId(id, 1))!);
    for (const span of runSpans) expect(span?.service).toBe('agent-coordinator');
    for (const span of attemptSpans) expect(span?.service).toBe('agent-runner');
    // Parent links: the CI span → root run → child run → grandchild run; each attempt under its run.
    expect(runSpans.map((s) => s.parentSpanId)).toEqual([CI_SPAN, runSpanId(rootRun), runSpanId(child.run_id)]);
    expect(attemptSpans.map((s) => s.parentSpanId)).toEqual(runs.map(runSpanId));
    expect(runSpans.map((s) => s.attributes['agent_runner.depth'])).toEqual([0, 1, 2]);
    expect(runSpans.map((s) => s.attributes['agent_runner.session_id'])).toEqual([rootId, child.session_id, grandchild.session_id]);
    expect(runSpans[2]!.attributes).toMatchObject({ 'agent_runner.status': 'succeeded', 'agent_runner.executor': 'report-trace', 'agent_runner.attempts': 1 });
    expect(attemptSpans[2]!.attributes).toMatchObject({ 'agent_runner.outcome': 'succeeded', 'agent_runner.input_tokens': 11, 'agent_runner.output_tokens': 7, 'agent_runner.cost_usd': 0.001 });
    // Two runners: the report-trace attempts ran on one, the test-executor's on the other.
    expect(attemptSpans[0]!.attributes['agent_runner.runner_id']).toBe(attemptSpans[2]!.attributes['agent_runner.runner_id']);
    expect(attemptSpans[1]!.attributes['agent_runner.runner_id']).not.toBe(attemptSpans[0]!.attributes['agent_runner.runner_id']);
    // A span covers its attempt: the attempt lies within its run.
    for (let i = 0; i < 3; i++) {
      expect(runSpans[i]!.startNs <= attemptSpans[i]!.startNs).toBe(true);
      expect(attemptSpans[i]!.endNs <= runSpans[i]!.endNs).toBe(true);
    }

    // The executor ran under its attempt's span, told in its environment and its invocation alike.
    const report = ended.result!.result_data as TraceReport;
    const expected = `00-${TRACE}-${attemptSpanId(grandchild.run_id, 1)}-01`;
    expect(report).toMatchObject({ traceparent: expected, metadata_traceparent: expected, otel_endpoint: receiver.url, otel_headers: null });
    expect(receiver.headers.some((h) => h['x-backend-key'] === 'backend-secret')).toBe(true);
  });

  it('a tree made by agents themselves (start_agent_session over MCP, children started while their parent runs) is one trace', async () => {
    receiver = await startOtlpReceiver();
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url };
    const { url, api } = await kit().coordinator({ env: otel });
    expect((await api('PUT', '/v1/agents/driver', { name: 'driver', executor: 'mcp-driver' })).status).toBe(201);
    await kit().daemon(['-c', url, '-x', 'mcp-driver'], otel);
    await kit().daemon(['-c', url, '-x', 'report-trace'], otel);
    // The root starts a child (another driver) and waits for it; the child starts a grandchild and waits for it.
    const childScript = { steps: [{ tool: 'start_agent_session', args: { prompt: 'grandchild', executor: 'report-trace', mode: 'sync' } }] };
    const rootScript = { steps: [{ tool: 'start_agent_session', args: { agent: 'driver', prompt: JSON.stringify(childScript), mode: 'sync' } }] };
    const root = await createSession(api, { agent: 'driver', prompt: JSON.stringify(rootScript) });
    expect((await waitForSession(api, root.session_id, ['idle', 'failed'], 60_000)).status).toBe('idle');
    const child = (await api('GET', `/v1/sessions?parent=${root.session_id}`)).body.sessions[0];
    const grandchild = (await api('GET', `/v1/sessions?parent=${child.session_id}`)).body.sessions[0];
    expect(grandchild.status).toBe('idle');
    const runs = [root.run_id, child.last_run_id as string, grandchild.last_run_id as string];

    await receiver.until((spans) => spans.length >= 6, 'three run spans and three attempt spans', WAIT_MS);
    expect(receiver.spans).toHaveLength(6);
    const traceId = (await api('GET', `/v1/sessions/${root.session_id}`)).body.trace_id as string;
    expect(new Set(receiver.spans.map((s) => s.traceId))).toEqual(new Set([traceId]));
    const byId = new Map(receiver.spans.map((s) => [s.spanId, s]));
    expect(runs.map((id) => byId.get(runSpanId(id))?.parentSpanId)).toEqual(['', runSpanId(runs[0]!), runSpanId(runs[1]!)]);
    expect(runs.map((id) => byId.get(attemptSpanId(id, 1))?.parentSpanId)).toEqual(runs.map(runSpanId));
    // Each child was made while its parent's attempt ran, and ended before it: nested in the trace's time.
    for (const [parent, kid] of [[runs[0]!, runs[1]!], [runs[1]!, runs[2]!]] as const) {
      const outer = byId.get(attemptSpanId(parent, 1))!;
      const inner = byId.get(runSpanId(kid))!;
      expect(inner.startNs >= outer.startNs && inner.endNs <= outer.endNs).toBe(true);
    }
    const report = grandchild.result.result_data as TraceReport;
    expect(report.traceparent).toBe(`00-${traceId}-${attemptSpanId(runs[2]!, 1)}-01`);
  });

  it('tracing off: no OpenTelemetry module is loaded by the coordinator or the runner, and executors still get the trace context; a malformed TRACEPARENT is ignored with a warning', async () => {
    const dir = kit().tempDir();
    const recorded = (name: string) => ({ NODE_OPTIONS: `--import ${RECORDER}`, RECORD_MODULES: join(dir, `${name}.txt`) });
    writeFileSync(join(dir, 'coordinator.txt'), '');
    writeFileSync(join(dir, 'runner.txt'), '');
    const { url, api } = await kit().coordinator({ env: recorded('coordinator') });
    await kit().daemon(['-c', url, '-x', 'report-trace'], recorded('runner'));

    const run = await kit().cli(['run', '-c', url, '-x', 'report-trace', '--json', 'x'], { env: { TRACEPARENT: '00-not-a-trace-\u001b[31mred' } });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('agent-runner: ignoring TRACEPARENT');
    expect(run.stderr).not.toContain('\u001b');
    const sessionId = JSON.parse(run.stdout.trim().split('\n').at(-1)!).session_id as string;
    const session = await waitForSession(api, sessionId, ['idle']);
    const report = session.result!.result_data as TraceReport;
    expect(report.traceparent).toMatch(new RegExp(`^00-${String(session.trace_id)}-[0-9a-f]{16}-01$`));
    expect(report.metadata_traceparent).toBe(report.traceparent);
    expect(report.otel_endpoint).toBeNull();

    for (const name of ['coordinator', 'runner']) {
      const modules = readFileSync(join(dir, `${name}.txt`), 'utf8').trim().split('\n');
      // The recorder saw this process load its code (so the check below means something)...
      expect(modules.length, name).toBeGreaterThan(10);
      // ...and nothing of OpenTelemetry's SDK or exporter, nor our module that imports them.
      expect(modules.filter((m) => /@opentelemetry\/(sdk-|exporter-|otlp-|resources)|otlp-span-sink/.test(m)), name).toEqual([]);
    }
  });
});
