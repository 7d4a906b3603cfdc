import type { Hono } from 'hono';
import { closestName } from '../../../protocol/did-you-mean.js';
import { MAX_MENTIONS, MentionMessageSchema, parseMentions } from '../../../protocol/mentions.js';
import { ApiError } from '../../api-error.js';
import type { CoordinatorContext } from '../context.js';
import { readBody } from '../validate.js';

const refused = (message: string, extra: Record<string, unknown> = {}) =>
  new ApiError(422, 'invalid_request', `message: ${message}`, { issues: [{ path: 'message', message }], ...extra });

/**
 * `POST /v1/mentions`: a message addressed by @mention (protocol/mentions.ts) starts one session per agent
 * mentioned, each with the message's prompt. Every name is checked first: an unknown one refuses the whole
 * message (422, each unknown name with the closest known one), so nothing starts. Each session is started
 * through `POST /v1/sessions` in process (the same checks, defaults and placement as any client's).
 */
export function mountMentionRoutes(app: Hono, ctx: CoordinatorContext): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(ctx.apiToken === null ? {} : { authorization: `Bearer ${ctx.apiToken}` }) };

  app.post('/v1/mentions', async (c) => {
    const { message } = await readBody(c, MentionMessageSchema);
    const { agents, prompt } = parseMentions(message);
    if (agents.length === 0) throw refused('mention an agent (@name)');
    if (agents.length > MAX_MENTIONS) throw refused(`at most ${MAX_MENTIONS} agents in one message (${agents.length} mentioned)`);
    if (prompt === '') throw refused(`say what ${agents.map((a) => `@${a}`).join(' ')} should do after the mention${agents.length > 1 ? 's' : ''}`);
    const known = new Set((await ctx.store.listAgents()).map((a) => a.name));
    const unknown = agents.filter((a) => !known.has(a)).map((name) => ({ name, suggestion: closestName(name, known) ?? null }));
    if (unknown.length > 0) {
      const issues = unknown.map((u) => ({ path: 'message', message: `no agent named "${u.name}"${u.suggestion === null ? '' : ` (did you mean "${u.suggestion}"?)`}` }));
      throw new ApiError(422, 'invalid_request', `message: ${issues.map((i) => i.message).join('; ')}; nothing was started`, { issues, unknown_agents: unknown });
    }
    const sessions = [];
    const errors = [];
    for (const agent of agents) {
      const response = await app.request('/v1/sessions', { method: 'POST', headers, body: JSON.stringify({ agent, prompt }) });
      const body = (await response.json()) as { session_id: string; run_id: string; status: string; error?: { message?: string } };
      if (response.status === 201) sessions.push({ agent, session_id: body.session_id, run_id: body.run_id, status: body.status });
      else errors.push({ agent, status: response.status, message: body.error?.message ?? `${response.status}` });
    }
    ctx.logger.debug({ agents, started: sessions.length }, 'mention message');
    if (sessions.length === 0) throw new ApiError(422, 'invalid_request', `message: ${errors.map((e) => `@${e.agent}: ${e.message}`).join('; ')}`, { issues: errors.map((e) => ({ path: 'message', message: `@${e.agent}: ${e.message}` })) });
    return c.json({ prompt, sessions, errors }, 201);
  });
}
