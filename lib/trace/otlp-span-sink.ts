/**
 * The one module that imports OpenTelemetry (tracing.ts loads it only when an OTLP endpoint is set): finished
 * spans through the official SDK's batch processor to its OTLP/HTTP exporter (JSON over HTTP by default;
 * endpoint, headers and timeout from the standard OTEL_EXPORTER_OTLP_* variables).
 */
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AlwaysOnSampler, BasicTracerProvider, BatchSpanProcessor, type IdGenerator } from '@opentelemetry/sdk-trace-base';
import type { Logger } from 'pino';
import { isSampled, NO_PARENT_SPAN } from '../../protocol/trace-context.js';
import type { FinishedSpan, SpanSink } from './span-sink.js';

/**
 * How long a recorded span waits to be sent with others. A flush per run end cost more than half the
 * throughput of bench/tracing.bench.ts (an export per run from the coordinator and from the runner); one
 * batch every half second costs a few percent and still shows a run in the backend within a second.
 */
const BATCH_DELAY_MS = 500;
/** How long one export may take. */
const EXPORT_TIMEOUT_MS = 5_000;
/**
 * How long a flush or the shutdown waits for the backend. The exporter retries a backend that refuses
 * (about 8 s in all when nothing listens); a coordinator or runner being stopped does not wait that long.
 */
const FLUSH_WAIT_MS = 2_000;

/**
 * Ids chosen by the caller: our span ids are derived from run ids (protocol/trace-context.ts), so every
 * machine computes the same ones. `next` is set right before the synchronous startSpan that takes it.
 */
class ChosenIds implements IdGenerator {
  next = { traceId: '', spanId: '' };
  generateTraceId(): string {
    return this.next.traceId;
  }
  generateSpanId(): string {
    return this.next.spanId;
  }
}

/** A span sink exporting to the OTLP/HTTP endpoint of this process's environment, as service `serviceName`. */
export function openOtlpSpanSink(serviceName: string, logger: Pick<Logger, 'warn'>): SpanSink {
  const ids = new ChosenIds();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    idGenerator: ids,
    // Whether a trace is sampled is its context's flag, decided where the trace began (record() below).
    sampler: new AlwaysOnSampler(),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter(), { scheduledDelayMillis: BATCH_DELAY_MS, exportTimeoutMillis: EXPORT_TIMEOUT_MS })],
  });
  const tracer = provider.getTracer('agent-runner');
  /** `work`, waited for FLUSH_WAIT_MS at most; a failure or a backend too slow is a warning, never an error. */
  const bounded = async (what: string, work: Promise<void>): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), FLUSH_WAIT_MS)));
    try {
      if ((await Promise.race([work, late])) === 'late') logger.warn({ endpoint_wait_ms: FLUSH_WAIT_MS }, `trace spans: ${what} gave up waiting for the OTLP endpoint`);
    } catch (error) {
      logger.warn({ err: (error as Error).message }, `trace spans: ${what} failed`);
    } finally {
      clearTimeout(timer);
    }
  };
  return {
    record(span: FinishedSpan): void {
      if (!isSampled({ traceId: span.traceId, parentSpanId: span.parentSpanId ?? NO_PARENT_SPAN, flags: span.flags })) return;
      const parent =
        span.parentSpanId === null
          ? ROOT_CONTEXT
          : trace.setSpanContext(ROOT_CONTEXT, { traceId: span.traceId, spanId: span.parentSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
      ids.next = { traceId: span.traceId, spanId: span.spanId };
      // Dates, not numbers: the SDK takes a number below this process's start time for a performance.now()
      // reading, and a run may have been queued before this process started.
      const started = tracer.startSpan(span.name, { kind: SpanKind.INTERNAL, startTime: new Date(span.startMs), attributes: span.attributes }, parent);
      if (span.error !== undefined) started.setStatus({ code: SpanStatusCode.ERROR, message: span.error });
      started.end(new Date(Math.max(span.startMs, span.endMs)));
    },
    flush: () => bounded('flush', provider.forceFlush()),
    shutdown: () => bounded('shutdown', provider.shutdown()),
  };
}
