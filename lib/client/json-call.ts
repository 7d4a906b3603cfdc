import { CoordinatorError } from './coordinator-error.js';

/** One JSON call to the coordinator, whatever HTTP client carries it. */
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

/** The request headers of a JSON call. */
export function jsonRequestHeaders(req: JsonRequest): Record<string, string> {
  const headers: Record<string, string> = { accept: 'application/json', ...req.headers };
  if (req.body !== undefined) headers['content-type'] = 'application/json';
  if (req.token !== undefined) headers.authorization = `Bearer ${req.token}`;
  return headers;
}

/** No answer at all (refused, reset, timed out): a CoordinatorError with status 0, which is retried. */
export function unreachableError(baseUrl: string, req: JsonRequest, error: unknown): CoordinatorError {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new CoordinatorError(`coordinator at ${baseUrl} did not answer ${req.method} ${req.path} (${reason})`, 0, 'unreachable');
}

/**
 * Parse the coordinator's answer; an HTTP error becomes a CoordinatorError carrying its
 * `{"error": {code, message, details}}`.
 */
export function toJsonResponse<T>(req: JsonRequest, status: number, headers: JsonResponse<T>['headers'], text: string): JsonResponse<T> {
  let body: unknown = null;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  if (status >= 400) {
    const error = (body as { error?: { code?: string; message?: string; details?: unknown } } | null)?.error;
    throw new CoordinatorError(error?.message ?? `${req.method} ${req.path} answered ${status}`, status, error?.code ?? 'http_error', error?.details);
  }
  return { status, headers, body: body as T };
}
