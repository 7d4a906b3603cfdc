import { afterEach, describe, expect, it } from 'vitest';
import { startOtlpReceiver } from '../../test/helpers/otlp-receiver.js';
import { openOtlpSpanSink } from './otlp-span-sink.js';
import type { FinishedSpan } from './span-sink.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const span = (over: Partial<FinishedSpan>): FinishedSpan => ({
  name: 'run x', traceId: TRACE, spanId: '1111111111111111', parentSpanId: null, flags: '01', startMs: 1_000, endMs: 2_500, attributes: { 'agent_runner.depth': 0 }, ...over,
});

// The exporter reads its endpoint from process.env when it is made, as in the coordinator and the runner.
describe('the OTLP span sink (the real exporter, to a receiver on loopback)', () => {
  let receiver: Awaited<ReturnType<typeof startOtlpReceiver>> | undefined;
  const before = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
  afterEach(async () => {
    if (before === undefined) delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    else process.env.OTEL_EXPORTER_OTLP_ENDPOINT = before;
    await receiver?.close();
  });

  it('sends spans with the ids, parents, times, attributes and status chosen, at shutdown without waiting for the batch delay; never an unsampled one', async () => {
    receiver = await startOtlpReceiver();
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    const sink = openOtlpSpanSink('test-service', { warn: () => {} });
    sink.record(span({}));
    sink.record(span({ spanId: '2222222222222222', parentSpanId: '1111111111111111', name: 'attempt x', error: 'exited with code 3' }));
    sink.record(span({ spanId: '3333333333333333', flags: '00' }));
    // An end before the start (clocks of two machines) is clamped to the start.
    sink.record(span({ spanId: '4444444444444444', parentSpanId: '1111111111111111', startMs: 5_000, endMs: 4_000 }));
    await sink.shutdown();
    const spans = receiver.spans;
    expect(spans.map((s) => s.spanId).sort()).toEqual(['1111111111111111', '2222222222222222', '4444444444444444']);
    const [root, attempt, clamped] = ['1111111111111111', '2222222222222222', '4444444444444444'].map((id) => spans.find((s) => s.spanId === id)!);
    expect(root).toMatchObject({ service: 'test-service', name: 'run x', traceId: TRACE, parentSpanId: '', startNs: 1_000_000_000n, endNs: 2_500_000_000n, status: 0 });
    expect(root!.attributes).toEqual({ 'agent_runner.depth': 0 });
    expect(attempt).toMatchObject({ traceId: TRACE, parentSpanId: '1111111111111111', status: 2 });
    expect(clamped!.endNs).toBe(clamped!.startNs);
  });

  it('a backend that is not there costs a warning, never an error', async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = 'http://127.0.0.1:1';
    const warnings: string[] = [];
    const sink = openOtlpSpanSink('test-service', { warn: (_: unknown, msg?: string) => void warnings.push(String(msg)) });
    sink.record(span({}));
    await expect(sink.flush()).resolves.toBeUndefined();
    await expect(sink.shutdown()).resolves.toBeUndefined();
    expect(warnings.length).toBeGreaterThan(0);
    expect(warnings[0]).toMatch(/^trace spans: flush /);
  });
});
