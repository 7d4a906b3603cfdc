import { WorkflowRunViewSchema, type WorkflowRunView } from '../../protocol/workflows.js';
import { backoffDelay, sleep, STREAM_RECONNECT_BACKOFF } from '../retry/backoff.js';
import { CoordinatorError } from './coordinator-error.js';
import { MAX_STREAM_RECONNECTS } from './follow-events.js';
import type { CoordinatorHttp } from './http-client.js';
import { parseReply } from './reply.js';
import { readSse } from './sse-reader.js';

/**
 * A workflow run's views, live (`GET /v1/workflow-runs/:id/events`): each time it changes, until it
 * ended (the last view yielded is the ended one) or `signal` aborts. Each job's tasks come summed up
 * (`in_flight`) unless `tasks` asks for every one. A dropped stream is reconnected after a
 * backoff; it starts again with the run as it is, and a view not newer than the last one is dropped.
 */
export async function* followWorkflowRun(http: CoordinatorHttp, id: string, signal: AbortSignal, options: { tasks?: boolean } = {}): AsyncGenerator<WorkflowRunView> {
  const path = `/v1/workflow-runs/${encodeURIComponent(id)}/events${options.tasks === true ? '?tasks=true' : ''}`;
  let failures = 0;
  let last: WorkflowRunView | null = null;
  while (!signal.aborted) {
    try {
      const body = await http.stream({ method: 'GET', path, headers: { accept: 'text/event-stream' }, signal });
      for await (const message of readSse(body)) {
        failures = 0;
        if (message.event !== 'workflow') continue;
        const view = parseReply({ method: 'GET', path }, 200, JSON.parse(message.data) as unknown, WorkflowRunViewSchema);
        if (last !== null && view.version < last.version) continue;
        last = view;
        yield view;
        if (view.status !== 'running') return;
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof CoordinatorError && !error.retryable) throw error;
      failures += 1;
      if (failures > MAX_STREAM_RECONNECTS) throw error;
      await sleep(backoffDelay(failures, STREAM_RECONNECT_BACKOFF), signal);
    }
  }
}
