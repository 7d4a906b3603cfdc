import type { MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { ApiError } from '../api-error.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const LOOPBACK_HOST = /^(?:127(?:\.\d{1,3}){3}|localhost|\[::1\])(?::\d{1,5})?$/i;

/**
 * Refuse what a browser sends on another site's behalf, before any route runs:
 * - a state-changing request (POST, PUT, DELETE…) whose `Sec-Fetch-Site` says it came from another site, or
 *   whose `Origin` is not this server's own: a page elsewhere cannot post to the API or the console, even
 *   as a "simple" request with no preflight, and even on a loopback coordinator that has no API token;
 * - on a coordinator with no API token (loopback only), any request whose `Host` is not a loopback name: a
 *   DNS-rebinding page (evil.example resolving to 127.0.0.1) reads nothing.
 * Clients that are not browsers (the CLI, runners, curl) send neither header and are not affected.
 */
export function refuseCrossSite(options: { loopbackOnly: boolean }): MiddlewareHandler {
  return createMiddleware(async (c, next) => {
    const host = c.req.header('host') ?? '';
    if (options.loopbackOnly && host !== '' && !LOOPBACK_HOST.test(host)) {
      throw new ApiError(403, 'forbidden', `host: ${JSON.stringify(host.slice(0, 100))} is not a loopback name; this coordinator has no API token and answers only on loopback`);
    }
    if (!SAFE_METHODS.has(c.req.method)) {
      const site = c.req.header('sec-fetch-site');
      if (site !== undefined && site !== 'same-origin' && site !== 'none') {
        throw new ApiError(403, 'forbidden', `cross-site request refused (Sec-Fetch-Site: ${site})`);
      }
      const origin = c.req.header('origin');
      if (origin !== undefined && !sameOrigin(origin, host)) {
        throw new ApiError(403, 'forbidden', `cross-site request refused (Origin ${origin.slice(0, 200)} is not this server)`);
      }
    }
    await next();
  });
}

/** Whether an Origin header names the host the request was sent to (`null`, as sandboxed pages send, never does). */
function sameOrigin(origin: string, host: string): boolean {
  try {
    return new URL(origin).host.toLowerCase() === host.toLowerCase();
  } catch {
    return false;
  }
}
