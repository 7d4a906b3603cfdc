import { createHash, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { createMiddleware } from 'hono/factory';
import { ApiError } from '../api-error.js';
import type { RunnerRecord } from '../types.js';
import { consoleAccess, CSRF_HEADER, csrfValid } from '../console/console-auth.js';
import type { CoordinatorContext } from './context.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** SHA-256 of a token, hex; the store keeps only this. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The bearer token of a request, or `null`. */
export function bearerToken(c: Context): string | null {
  const header = c.req.header('authorization');
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1] ?? null;
}

/**
 * A runner token is `<runner id>.<secret>`: check it and return its runner (401 otherwise). A token the
 * store accepted lately is taken from `ctx.runnerTokens` (forgotten at once when its runner deregisters).
 */
export async function authenticateRunner(ctx: CoordinatorContext, token: string | null): Promise<RunnerRecord> {
  if (token === null) throw new ApiError(401, 'unauthorized', 'a runner token is required (Authorization: Bearer <token>)');
  const runnerId = token.split('.')[0] ?? '';
  const now = Date.now();
  const checked = ctx.runnerTokens.get(runnerId, token, now);
  if (checked !== undefined) return checked;
  const epoch = ctx.runnerTokens.epoch;
  const found = await ctx.store.getRunnerWithToken(runnerId);
  if (found === null || !sameSecret(found.tokenHash, hashToken(token))) {
    throw new ApiError(401, 'unauthorized', 'the runner token is not valid');
  }
  if (found.runner.deregistered_at !== null) {
    throw new ApiError(401, 'unauthorized', `runner ${runnerId} deregistered; register again`);
  }
  ctx.runnerTokens.keep(token, found.runner, epoch, now);
  return found.runner;
}

/** The runner a request comes from, checked against the `:id` in its path (403 for another runner's id). */
async function requireRunner(ctx: CoordinatorContext, c: Context, pathId?: string): Promise<RunnerRecord> {
  const runner = await authenticateRunner(ctx, bearerToken(c));
  if (pathId !== undefined && pathId !== runner.id) {
    throw new ApiError(403, 'forbidden', `this token belongs to runner ${runner.id}, not ${pathId}`, { runner: pathId });
  }
  return runner;
}

/**
 * User-facing API guard: with an API token configured, only that token. A runner is not a user: its token
 * reaches the runner routes only (403 here), so a leaked runner token cannot list, replace or stop anything.
 */
async function requireApiAccess(ctx: CoordinatorContext, c: Context): Promise<void> {
  if (ctx.apiToken === null) return;
  const token = bearerToken(c);
  if (token !== null && sameSecret(token, ctx.apiToken)) return;
  if (token === null) {
    // The console's pages call the API with their login cookie; a state-changing call also carries the
    // CSRF token the page was served with, which no other site can read.
    const access = consoleAccess(ctx.apiToken, c);
    if (access.kind === 'cookie') {
      if (SAFE_METHODS.has(c.req.method) || csrfValid(ctx.apiToken, access.cookie, c.req.header(CSRF_HEADER))) return;
      throw new ApiError(403, 'forbidden', `${CSRF_HEADER}: missing or not this login's; a console page sends it with each change it makes`);
    }
  }
  if (token !== null && (await isRunnerToken(ctx, token))) {
    throw new ApiError(403, 'forbidden', 'a runner token reaches the runner routes only; this route needs the API token (Authorization: Bearer <api token>)');
  }
  throw new ApiError(401, 'unauthorized', 'an API token is required (Authorization: Bearer <token>)');
}

async function isRunnerToken(ctx: CoordinatorContext, token: string): Promise<boolean> {
  if (!token.startsWith('rnr_')) return false;
  return authenticateRunner(ctx, token).then(
    () => true,
    () => false,
  );
}

/** The runner API's context: its auth middleware sets `runner`, the runner the request's token names. */
export type RunnerEnv = { Variables: { runner: RunnerRecord } };

/**
 * Middleware of a runner route: the request carries a runner token (401 otherwise), and with `ownPath`
 * it is the token of the runner the path's `:id` names (403 for another's). Sets `runner`.
 */
export function runnerAuth(ctx: CoordinatorContext, options: { ownPath?: boolean } = {}): MiddlewareHandler<RunnerEnv> {
  return createMiddleware<RunnerEnv>(async (c, next) => {
    c.set('runner', await requireRunner(ctx, c, options.ownPath === true ? c.req.param('id') : undefined));
    await next();
  });
}

/** Middleware of the user API (and of runner registration and listing): see requireApiAccess. */
export function apiAccess(ctx: CoordinatorContext): MiddlewareHandler {
  return createMiddleware(async (c, next) => {
    await requireApiAccess(ctx, c);
    await next();
  });
}
