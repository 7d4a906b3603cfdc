import { Agent, request, type Dispatcher } from 'undici';
import { CoordinatorError } from './coordinator-error.js';

export interface JsonRequest {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  path: string;
  body?: unknown;
  token?: string | undefined;
  headers?: Record<string, string>;
  /** Give up waiting for the response headers after this long (long-polls need more than the default). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface JsonResponse<T> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

/** Default wait for a coordinator answer. */
export const REQUEST_TIMEOUT_MS = 15_000;

/** One keep-alive connection pool per base URL: a runner makes many small calls to one coordinator. */
export function createDispatcher(connections = 32): Dispatcher {
  return new Agent({ keepAliveTimeout: 30_000, connections, pipelining: 1 });
}

/**
 * Call the coordinator with a JSON body and parse its JSON answer. An HTTP error becomes a
 * CoordinatorError carrying the coordinator's `{"error": {code, message, details}}`; no answer at all
 * becomes one with status 0.
 */
export async function requestJson<T>(baseUrl: string, dispatcher: Dispatcher, req: JsonRequest): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  if (req.token !== undefined) headers.authorization = `Bearer ${req.token}`;
  const timeout = req.timeoutMs ?? REQUEST_TIMEOUT_MS;
  let response;
  try {
    response = await request(`${baseUrl}${req.path}`, {
      method: req.method,
      headers,
      body: req.body === undefined ? null : JSON.stringify(req.body),
      dispatcher,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      ...(req.signal === undefined ? {} : { signal: req.signal }),
    });
  } catch (error) {
    if (req.signal?.aborted) throw error;
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new CoordinatorError(`coordinator at ${baseUrl} did not answer ${req.method} ${req.path} (${reason})`, 0, 'unreachable');
  }
  const text = await response.body.text();
  let body: unknown = null;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (response.statusCode >= 400) {
    const error = (body as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    throw new CoordinatorError(
      error?.message ?? `${req.method} ${req.path} answered ${response.statusCode}`,
      response.statusCode,
      error?.code ?? 'http_error',
      error?.details,
    );
  }
  return { status: response.statusCode, headers: response.headers, body: body as T };
}
