import { SessionEventSchema, type SessionEvent } from '../../protocol/events.js';
import { backoffDelay, sleep, STREAM_RECONNECT_BACKOFF } from '../retry/backoff.js';
import { CoordinatorError } from './coordinator-error.js';
import type { CoordinatorHttp } from './http-client.js';
import { parseReply } from './reply.js';
import { readSse } from './sse-reader.js';

/** Reconnect attempts in a row (without an event between them) before the follow gives up. */
export const MAX_STREAM_RECONNECTS = 50;

/**
 * A session's events, live, from after `after`: reads its SSE stream and reconnects with Last-Event-ID
 * when it drops (after a backoff), so no event is missed or repeated. Ends when `signal` aborts; an
 * HTTP error that is not retryable (404, 401, an event that does not match its schema) throws. With
 * `failFast`, so does a coordinator that does not answer the first connection (a wrong URL, nothing
 * listening: a command says so at once rather than after many reconnects).
 */
export async function* followSessionEvents(
  http: CoordinatorHttp,
  sessionId: string,
  after: number,
  signal: AbortSignal,
  options: { failFast?: boolean } = {},
): AsyncGenerator<SessionEvent> {
  const path = `/v1/sessions/${encodeURIComponent(sessionId)}/events`;
  let last = after;
  let failures = 0;
  let connected = false;
  while (!signal.aborted) {
    try {
      const body = await http.stream({ method: 'GET', path, headers: { accept: 'text/event-stream', 'last-event-id': String(last) }, signal });
      connected = true;
      for await (const message of readSse(body)) {
        failures = 0;
        let data: unknown;
        try {
          data = JSON.parse(message.data);
        } catch {
          data = message.data;
        }
        const event = parseReply({ method: 'GET', path }, 200, data, SessionEventSchema);
        last = event.seq;
        yield event;
      }
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof CoordinatorError && !error.retryable) throw error;
      if (options.failFast === true && !connected && error instanceof CoordinatorError && error.status === 0) throw error;
      failures += 1;
      if (failures > MAX_STREAM_RECONNECTS) throw error;
      await sleep(backoffDelay(failures, STREAM_RECONNECT_BACKOFF), signal);
    }
  }
}
