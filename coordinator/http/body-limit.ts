import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { ApiError } from '../api-error.js';

/**
 * Refuse a request body larger than `maxBytes` (413). A request that says its length (Content-Length, no
 * Transfer-Encoding: every request of our clients) is judged by its header alone, without touching
 * `c.req.raw.body`: on @hono/node-server that getter builds a full WHATWG Request and a web stream over
 * the socket, and the body is then read through them. hono's bodyLimit does so on every request, even a
 * GET; it was a third of the coordinator's CPU per idle heartbeat (issue 13). A chunked body, whose length
 * is known only once read, still goes through hono's bodyLimit, which counts it as it reads.
 */
export function limitBody(maxBytes: number): MiddlewareHandler {
  const tooLarge = () => {
    throw new ApiError(413, 'payload_too_large', `the request body is larger than ${maxBytes} bytes`, { max_bytes: maxBytes });
  };
  const counting = bodyLimit({ maxSize: maxBytes, onError: tooLarge });
  return async (c, next) => {
    const method = c.req.method;
    if (method === 'GET' || method === 'HEAD') return next();
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (Number.parseInt(length, 10) > maxBytes) tooLarge();
      return next();
    }
    return counting(c, next);
  };
}
