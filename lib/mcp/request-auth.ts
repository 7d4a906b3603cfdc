import type { IncomingMessage } from 'node:http';
import type { UserApi } from '../client/user-api.js';
import { SessionLiveness } from './session-liveness.js';
import { tokenMatches } from './session-token.js';

/** JSON-RPC error code for a refused request (server-defined range). */
export const UNAUTHORIZED_CODE = -32001;

export type AuthOutcome = { ok: true; sessionId: string; token: string } | { ok: false; status: number; message: string };

/**
 * Who is calling: the `X-Agent-Session-Id` header, proven by `Authorization: Bearer <token>` (the HMAC
 * of that id under the runner's secret), of a session the coordinator knows that still has work (see
 * SessionLiveness). 401 when either header is missing, 403 when the token does not match, the session
 * does not exist or has ended.
 */
export class RequestAuth {
  readonly #secret: string;
  readonly #liveness: SessionLiveness;

  constructor(secret: string, api: UserApi) {
    this.#secret = secret;
    this.#liveness = new SessionLiveness(api);
  }

  async authenticate(req: IncomingMessage): Promise<AuthOutcome> {
    const header = req.headers['x-agent-session-id'];
    const sessionId = Array.isArray(header) ? header[0] : header;
    if (sessionId === undefined || sessionId === '') {
      return { ok: false, status: 401, message: 'missing X-Agent-Session-Id header: use the orchestrator entry of your agent_blueprint.mcp_servers as given' };
    }
    const auth = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(auth);
    if (match === null) return { ok: false, status: 401, message: 'missing Authorization: Bearer <token> header for this session' };
    if (!tokenMatches(this.#secret, sessionId, match[1]!)) {
      return { ok: false, status: 403, message: `the bearer token is not the token of session ${sessionId}` };
    }
    const liveness = await this.#liveness.check(sessionId);
    if (!liveness.live) return { ok: false, status: liveness.status, message: liveness.message };
    return { ok: true, sessionId, token: match[1]! };
  }
}

/** A JSON-RPC error body for a refused HTTP request. */
export function jsonRpcError(message: string, code = UNAUTHORIZED_CODE): string {
  return JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null });
}
