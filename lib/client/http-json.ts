import { Agent, request, type Dispatcher } from 'undici';
import { jsonRequestHeaders, REQUEST_TIMEOUT_MS, toJsonResponse, unreachableError, type JsonRequest, type JsonResponse } from './json-call.js';

export { REQUEST_TIMEOUT_MS, type JsonRequest, type JsonResponse } from './json-call.js';

/** One keep-alive connection pool per base URL: a runner makes many small calls to one coordinator. */
export function createDispatcher(connections = 32): Dispatcher {
  return new Agent({ keepAliveTimeout: 30_000, connections, pipelining: 1 });
}

/**
 * Call the coordinator with a JSON body and parse its JSON answer (undici; the client commands, which
 * also read SSE). An HTTP error becomes a CoordinatorError carrying the coordinator's
 * `{"error": {code, message, details}}`; no answer at all becomes one with status 0.
 */
export async function requestJson<T>(baseUrl: string, dispatcher: Dispatcher, req: JsonRequest): Promise<JsonResponse<T>> {
  const timeout = req.timeoutMs ?? REQUEST_TIMEOUT_MS;
  let response;
  try {
    response = await request(`${baseUrl}${req.path}`, {
      method: req.method,
      headers: jsonRequestHeaders(req),
      body: req.body === undefined ? null : JSON.stringify(req.body),
      dispatcher,
      headersTimeout: timeout,
      bodyTimeout: timeout,
      ...(req.signal === undefined ? {} : { signal: req.signal }),
    });
  } catch (error) {
    if (req.signal?.aborted) throw error;
    throw unreachableError(baseUrl, req, error);
  }
  return toJsonResponse<T>(req, response.statusCode, response.headers, await response.body.text());
}
