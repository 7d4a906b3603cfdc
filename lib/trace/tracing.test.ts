import { describe, expect, it } from 'vitest';
import { spanAttributes } from './span-attributes.js';
import { startTracing, tracingWanted } from './tracing.js';

const quiet = { debug: () => {}, info: () => {}, warn: () => {} };

describe('tracing on or off', () => {
  it('is on with an OTLP endpoint (all signals or traces only), unless the SDK is disabled', () => {
    expect(tracingWanted({})).toBe(false);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBe(false);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).toBe(true);
    expect(tracingWanted({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'TRUE' })).toBe(false);
  });

  it('off: no sink and nothing loaded (the debug line says when the exporter is loaded)', async () => {
    const lines: string[] = [];
    expect(await startTracing({}, 'x', { ...quiet, debug: (msg: string) => lines.push(msg) })).toBeNull();
    expect(lines).toEqual([]);
  });
});

describe('span attributes', () => {
  it('are prefixed, leave out null and undefined, and take the numbers of a usage report', () => {
    expect(spanAttributes({ a: 'x', b: null, c: undefined, d: 0, e: false }, { input_tokens: 3, cost_usd: 0.5, model: 'm', output_tokens: 'many', cache_read_input_tokens: Number.NaN })).toEqual({
      'agent_runner.a': 'x', 'agent_runner.d': 0, 'agent_runner.e': false, 'agent_runner.input_tokens': 3, 'agent_runner.cost_usd': 0.5,
    });
  });
});
