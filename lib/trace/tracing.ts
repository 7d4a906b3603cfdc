/**
 * Tracing on or off. Off (no OTLP endpoint in the environment) loads nothing: the OpenTelemetry packages
 * are imported by otlp-span-sink.ts alone, and that module is imported here only when an endpoint is set,
 * so a coordinator or runner without tracing starts and idles as before.
 */
import type { Logger } from 'pino';
import type { SpanSink } from './span-sink.js';

export type { FinishedSpan, SpanSink } from './span-sink.js';

/** The variables that turn tracing on (the OTLP/HTTP exporter's own, as OpenTelemetry defines them). */
export const OTLP_ENDPOINT_VARS = ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT'] as const;

/** Whether `env` asks for spans to be exported: an OTLP endpoint is set and OTEL_SDK_DISABLED is not `true`. Pure. */
export function tracingWanted(env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  return OTLP_ENDPOINT_VARS.some((name) => (env[name] ?? '').trim() !== '');
}

/**
 * The span sink `env` asks for (service `serviceName`), or null when tracing is off. The exporter reads
 * its endpoint, headers and timeout from the OTEL_EXPORTER_OTLP_* variables of this process's environment.
 * A failure to load the packages is logged and leaves tracing off: it never stops a coordinator or runner.
 */
export async function startTracing(env: NodeJS.ProcessEnv, serviceName: string, logger: Pick<Logger, 'debug' | 'info' | 'warn'>): Promise<SpanSink | null> {
  if (!tracingWanted(env)) return null;
  logger.debug('loading the OpenTelemetry exporter');
  try {
    const { openOtlpSpanSink } = await import('./otlp-span-sink.js');
    const sink = openOtlpSpanSink(serviceName, logger);
    logger.info({ service: serviceName }, 'exporting trace spans over OTLP/HTTP');
    return sink;
  } catch (error) {
    logger.warn({ err: (error as Error).message }, 'tracing is off: the OpenTelemetry packages could not be loaded');
    return null;
  }
}
