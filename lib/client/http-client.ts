import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { z } from 'zod';
import { CoordinatorError } from './coordinator-error.js';
import { errorFromReply, readReply } from './reply.js';

/**
 * The one HTTP client of the CLI, the MCP tools and the runner, on Node's own http module. Not undici:
 * loading undici costs about 17 MB of RSS (measured: 61 vs 44 MB for one request; the runner went from
 * ~69 to ~86 MB after its first MCP call) and ~140 ms of module loading in every CLI command, and every
 * executor spawn forks the runner, which gets slower as its RSS grows.
 */

/** Most connections kept open to one coordinator (long-poll, heartbeat, reports; each live event stream holds one). */
export const MAX_SOCKETS = 32;
/**
 * Close a pooled connection idle this long: under Node's default server keep-alive timeout (5 s), so a
 * client never reuses a socket the coordinator is closing (which fails the request with ECONNRESET).
 */
export const IDLE_SOCKET_TIMEOUT_MS = 4_000;
/** Default wait for a coordinator answer (no byte for this long: it is not answering). */
export const REQUEST_TIMEOUT_MS = 15_000;

/** One call to the coordinator. */
export interface HttpCall {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Bearer token; the client's own when not given. */
  token?: string | undefined;
  headers?: Record<string, string>;
  /** Give up after this long without a byte (long-polls need more than the default); 0 waits for ever. */
  timeoutMs?: number;
  signal?: AbortSignal | undefined;
}

/** A raw answer: status, headers and the body's text. */
export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/** A parsed answer. */
export interface JsonAnswer<T> {
  status: number;
  headers: IncomingHttpHeaders;
  body: T;
}

/** No answer at all (refused, reset, timed out): a CoordinatorError with status 0, which is retried. */
function unreachable(baseUrl: string, call: HttpCall, error: unknown): CoordinatorError {
  const reason = error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error);
  return new CoordinatorError(`coordinator at ${baseUrl} did not answer ${call.method} ${call.path} (${reason})`, 0, 'unreachable');
}

/**
 * A coordinator at one base URL: a keep-alive connection pool, its token, JSON calls whose answers are
 * parsed with the reply schemas of protocol/, and streams (SSE). Errors are CoordinatorErrors: status 0
 * for no answer (retryable), the HTTP status and the coordinator's error code otherwise, `invalid_reply`
 * for an answer that does not match its schema.
 */
export class CoordinatorHttp {
  readonly baseUrl: string;
  readonly token: string | undefined;
  readonly #agent: HttpAgent;
  readonly #send: typeof httpRequest;

  /** @throws Error naming `baseUrl` when it is not an absolute http:// or https:// URL (callers check flags first, with the flag's name). */
  constructor(baseUrl: string, token?: string, maxSockets = MAX_SOCKETS) {
    this.baseUrl = baseUrl;
    this.token = token;
    const options = { keepAlive: true, maxSockets, timeout: IDLE_SOCKET_TIMEOUT_MS };
    const protocol = URL.canParse(baseUrl) ? new URL(baseUrl).protocol : undefined;
    if (protocol !== 'http:' && protocol !== 'https:') throw new Error(`coordinator URL "${baseUrl}" is not an http:// or https:// URL`);
    // node:https (and TLS, crypto) is loaded only for an https:// coordinator: a few ms of every command's start otherwise.
    const https = protocol === 'https:' ? process.getBuiltinModule('node:https') : undefined;
    this.#agent = https === undefined ? new HttpAgent(options) : new https.Agent(options);
    this.#send = https === undefined ? httpRequest : https.request;
  }

  /** Call and parse the answer with `schema`; an HTTP error or a reply that does not match throws. */
  async json<S extends z.ZodType>(call: HttpCall, schema: S): Promise<JsonAnswer<z.infer<S>>> {
    const answer = await this.send(call);
    return { status: answer.status, headers: answer.headers, body: readReply(call, answer.status, answer.text, schema) };
  }

  /** Call and read the whole answer, whatever its status (the caller decides). */
  send(call: HttpCall): Promise<HttpAnswer> {
    return new Promise((resolve, reject) => {
      this.#open(call, reject, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('error', (error) => reject(call.signal?.aborted ? error : unreachable(this.baseUrl, call, error)));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
      });
    });
  }

  /** Open a response stream (e.g. `text/event-stream`): resolves with the body once a 2xx answer starts. */
  stream(call: HttpCall): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      this.#open({ ...call, timeoutMs: call.timeoutMs ?? 0 }, reject, (response) => {
        const status = response.statusCode ?? 0;
        if (status < 400) return resolve(response);
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('error', (error) => reject(unreachable(this.baseUrl, call, error)));
        response.on('end', () => reject(errorFromReply(call, status, text)));
      });
    });
  }

  /** Send the request (its JSON body written once); answers go to `onResponse`, failures to `reject`. */
  #open(call: HttpCall, reject: (error: unknown) => void, onResponse: (response: IncomingMessage) => void): void {
    const payload = call.body === undefined ? undefined : JSON.stringify(call.body);
    const headers: Record<string, string> = { accept: 'application/json', ...call.headers };
    const token = call.token ?? this.token;
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (payload !== undefined) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = String(Buffer.byteLength(payload));
    }
    const url = new URL(`${this.baseUrl}${call.path}`);
    const request = this.#send(url, { method: call.method, headers, agent: this.#agent, ...(call.signal === undefined ? {} : { signal: call.signal }) }, onResponse);
    const timeoutMs = call.timeoutMs ?? REQUEST_TIMEOUT_MS;
    if (timeoutMs > 0) request.setTimeout(timeoutMs, () => request.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    request.on('error', (error) => reject(call.signal?.aborted ? error : unreachable(this.baseUrl, call, error)));
    request.end(payload);
  }

  /** Close every pooled connection (live streams included). */
  close(): void {
    this.#agent.destroy();
  }
}
