import type { Logger } from 'pino';
import { CoordinatorError } from '../client/coordinator-error.js';
import type { RunnerApi } from '../client/runner-api.js';
import { storableJson } from '../../protocol/json-shape.js';
import { z } from 'zod';
import { ExecutorEventSchema } from '../../protocol/executor-event.js';
import { RunFinishedSchema, type RunReport, type RunReportResult } from '../../protocol/run-reports.js';

// A `ts` that is not a date-time (a damaged spool line) is left out rather than refused: the item still goes.
const itemOfRun = { run_id: z.string(), attempt: z.int().min(1), ts: z.iso.datetime({ offset: true }).optional().catch(undefined) };
/**
 * What a report is made of, as the outbox notes it and as a spool file holds it (one JSON line each):
 * parsed with this schema when an earlier runner's spool is read back (spool-replay.ts).
 */
export const ReportableItemSchema = z.discriminatedUnion('kind', [
  z.object({ ...itemOfRun, kind: z.literal('started'), pid: z.int().nullable(), model: z.object({ model: z.string(), models: z.array(z.string()) }).optional() }),
  z.object({ ...itemOfRun, kind: z.literal('event'), seq: z.int().min(1), event: ExecutorEventSchema }),
  z.object({ ...itemOfRun, kind: z.literal('finished'), outcome: RunFinishedSchema }),
]);
export type ReportableItem = z.infer<typeof ReportableItemSchema>;

/**
 * Fold a batch of outbox items into one report per run, keeping each run's order (a run's items are
 * appended started → events → finished, so folding them loses nothing). What the executor wrote goes
 * out storable (NUL replaced, depth bounded: protocol/json-shape.ts), so one bad line never fails the
 * request that carries the other runs' reports. Pure.
 */
export function toRunReports(batch: readonly ReportableItem[]): RunReport[] {
  const reports = new Map<string, RunReport>();
  for (const item of batch) {
    // A run claimed again (a later attempt) while its earlier attempt's items wait here gets its own report.
    const key = `${item.run_id}#${item.attempt}`;
    let report = reports.get(key);
    if (report === undefined) {
      report = { run_id: item.run_id, attempt: item.attempt };
      reports.set(key, report);
    }
    if (item.kind === 'started') {
      report.started = {
        ...(item.pid === null ? {} : { pid: item.pid }),
        ...(item.model === undefined ? {} : { model: item.model.model, models: item.model.models }),
        // When it started, not when the report left (the outbox may hold a start back: STARTED_HOLD_MS).
        ...(item.ts === undefined ? {} : { at: item.ts }),
      };
    }
    else if (item.kind === 'event') (report.events ??= []).push({ seq: item.seq, event: storableJson(item.event) });
    else report.finished = storableJson(item.outcome);
  }
  return [...reports.values()];
}

/**
 * Deliver a batch of reports in one request (halved until it fits the coordinator's body limit). A
 * report the coordinator refuses for good (the run is no longer ours, or the request itself was
 * refused, e.g. one event alone over the body limit) is dropped with an error in the log; anything
 * retryable throws, and the outbox sends the batch again (the coordinator skips what it already has).
 */
export async function sendReports(api: RunnerApi, logger: Logger, batch: readonly ReportableItem[]): Promise<void> {
  let results;
  try {
    results = await api.reports(toRunReports(batch));
  } catch (error) {
    // Too large for the coordinator's body limit (big events): send it in halves, in order.
    if (error instanceof CoordinatorError && error.status === 413 && batch.length > 1) {
      const half = Math.ceil(batch.length / 2);
      await sendReports(api, logger, batch.slice(0, half));
      await sendReports(api, logger, batch.slice(half));
      return;
    }
    if (error instanceof CoordinatorError && !error.retryable && error.status !== 401) {
      logger.error({ dropped: batch.length, err: error.message }, 'the coordinator refused these reports; dropping them');
      return;
    }
    throw error;
  }
  logRefusedReports(logger, results);
}

/** Log each report the coordinator refused for good (its results, from /reports or a long-poll's answer): it is dropped. */
export function logRefusedReports(logger: Logger, results: readonly RunReportResult[]): void {
  for (const result of results) {
    if (result.error !== undefined) {
      logger.error({ run: result.run_id, status: result.error.status, code: result.error.code, err: result.error.message }, 'the coordinator refused the report of this run; dropping it');
    }
  }
}
