import { SessionEventSchema, type SessionEvent } from '../../protocol/events.js';
import { backoffDelay, sleep, STREAM_RECONNECT_BACKOFF } from '../retry/backoff.js';
import { CoordinatorError } from './coordinator-error.js';
import type { CoordinatorHttp } from './http-client.js';
import { parseReply } from './reply.js';
import { readSse } from './sse-reader.js';

/** Reconnect attempts in a row (without an event between them) before the follow gives up. */
export const MAX_STREAM_RECONNECTS = 50;

/** Where a follow is: the headers of its next connection, and whether an event is new (and take it as seen). */
interface Position {
  headers(): Record<string, string>;
  take(event: SessionEvent): boolean;
}

/**
 * Read an SSE stream of session events, reconnecting (after a backoff) when it drops, until `signal`
 * aborts; `position` says where to resume and drops what was seen. An HTTP error that is not retryable
 * (404, 401, an event that does not match its schema) throws; with `failFast`, so does a coordinator that
 * does not answer the first connection (a wrong URL, nothing listening).
 */
async function* followStream(
  http: CoordinatorHttp,
  path: string,
  position: Position,
  signal: AbortSignal,
  options: { failFast?: boolean },
): AsyncGenerator<SessionEvent> {
  let failures = 0;
  let connected = false;
  while (!signal.aborted) {
    try {
      const body = await http.stream({ method: 'GET', path, headers: { accept: 'text/event-stream', ...position.headers() }, signal });
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
        if (position.take(event)) yield event;
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

/**
 * A session's events, live, from after `after`: reads its SSE stream and reconnects with Last-Event-ID
 * when it drops, so no event is missed or repeated. Ends when `signal` aborts.
 */
export function followSessionEvents(
  http: CoordinatorHttp,
  sessionId: string,
  after: number,
  signal: AbortSignal,
  options: { failFast?: boolean } = {},
): AsyncGenerator<SessionEvent> {
  let last = after;
  const position: Position = {
    headers: () => ({ 'last-event-id': String(last) }),
    take: (event) => ((last = event.seq), true),
  };
  return followStream(http, `/v1/sessions/${encodeURIComponent(sessionId)}/events`, position, signal, options);
}

/**
 * Every event of the subtree under a session, live (`events?tree=true`), each once: a tree stream starts
 * from the beginning when it reconnects, and the events already seen (by session and seq) are dropped.
 */
export function followTreeEvents(http: CoordinatorHttp, sessionId: string, signal: AbortSignal, options: { failFast?: boolean } = {}): AsyncGenerator<SessionEvent> {
  const seen = new Map<string, number>();
  const position: Position = {
    headers: () => ({}),
    take: (event) => {
      if (event.seq <= (seen.get(event.session_id) ?? 0)) return false;
      seen.set(event.session_id, event.seq);
      return true;
    },
  };
  return followStream(http, `/v1/sessions/${encodeURIComponent(sessionId)}/events?tree=true`, position, signal, options);
}
