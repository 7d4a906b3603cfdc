import type { Hono } from 'hono';

/** An answer of the API other than 2xx, as a console page read it. */
export class ApiReadError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

/** Reads the coordinator's own REST API in process: what a page shows is what the API answers, nothing more. */
export type ApiReader = <T>(path: string) => Promise<T>;

/**
 * A reader of `app`'s API with the API token (the page's own request was let in already). The request
 * goes through the app's middleware and routes as a client's would, without a socket.
 */
export function apiReader(app: Hono, apiToken: string | null): ApiReader {
  const headers: Record<string, string> = apiToken === null ? {} : { authorization: `Bearer ${apiToken}` };
  return async <T>(path: string): Promise<T> => {
    const response = await app.request(path, { headers });
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = text;
    }
    if (!response.ok) {
      // The API's error body: {error: {code, message, details}}.
      const answer = body as { error?: { message?: unknown }; message?: unknown } | null;
      const message = answer?.error?.message ?? answer?.message;
      throw new ApiReadError(response.status, typeof message === 'string' ? message : `${response.status} from ${path}`, body);
    }
    return body as T;
  };
}
