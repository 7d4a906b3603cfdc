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
 *
 * Reads of the same path at the same time share one answer (single flight): fifty open pages that read
 * the sessions list again on the same change cost one read of the store, not fifty. A read that starts
 * after a change still sees it (only reads already in flight are shared), and each page hears of any
 * later change on its stream and reads again.
 */
export function apiReader(app: Hono, apiToken: string | null): ApiReader {
  const headers: Record<string, string> = apiToken === null ? {} : { authorization: `Bearer ${apiToken}` };
  const inFlight = new Map<string, Promise<{ ok: boolean; status: number; text: string }>>();
  const read = async (path: string) => {
    const response = await app.request(path, { headers });
    return { ok: response.ok, status: response.status, text: await response.text() };
  };
  return async <T>(path: string): Promise<T> => {
    let pending = inFlight.get(path);
    if (pending === undefined) {
      pending = read(path).finally(() => inFlight.delete(path));
      inFlight.set(path, pending);
    }
    // Each caller parses the shared text: its own copy, which a page may change while rendering.
    const { ok, status, text } = await pending;
    let body: unknown = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = text;
    }
    if (!ok) {
      // The API answers errors as {error: {code, message, details}}.
      const message = (body as { error?: { message?: unknown } } | null)?.error?.message ?? (body as { message?: unknown } | null)?.message;
      throw new ApiReadError(status, typeof message === 'string' ? message : `${status} from ${path}`, body);
    }
    return body as T;
  };
}
