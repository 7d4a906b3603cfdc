import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually } from '../coordinator/helpers.js';
import { McpTestBed, toolData } from './harness.js';

/** Whether the official client, connecting with the session's own token, is let in (else the refusal). */
async function tryConnect(bed: McpTestBed, sessionId: string): Promise<true | string> {
  try {
    await bed.client(sessionId);
    return true;
  } catch (error) {
    return String((error as Error).message);
  }
}

describe('an MCP token lives as long as its session has work', () => {
  let bed: McpTestBed;
  beforeEach(async () => (bed = await McpTestBed.start()));
  afterEach(async () => bed.close());

  it('refuses the token of an ended session, saying it ended and how to go on; the session\'s children are not reachable with it', async () => {
    const ended = await bed.endedSession('done');
    const refusal = await tryConnect(bed, ended.session_id);
    expect(refusal).toMatch(new RegExp(`session ${ended.session_id} has ended \\(idle\\).*sessions resume ${ended.session_id}`));
    // A raw tool call with the ended session's token: refused before any tool runs, nothing started.
    const res = await fetch(bed.mcpUrl, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'X-Agent-Session-Id': ended.session_id,
        Authorization: `Bearer ${bed.token(ended.session_id)}`,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'start_agent_session', arguments: { prompt: 'late child' } } }),
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/has ended/);
    expect((await bed.user.listSessions({ parent: ended.session_id })).sessions).toEqual([]);
  });

  it('takes the token while the session\'s run is queued, and refuses it once the session was stopped', { timeout: 90_000 }, async () => {
    const live = await bed.liveSession('waiting');
    const client = await bed.client(live.session_id);
    expect(toolData(await client.callTool({ name: 'list_agent_sessions', arguments: {} }))).toMatchObject({ sessions: [] });
    await bed.user.stopSession(live.session_id);
    // A live answer is remembered for at most LIVE_CACHE_MS: the refusal comes within it.
    const refused = await eventually(async () => {
      const result = await client.callTool({ name: 'list_agent_sessions', arguments: {} }).then(
        () => undefined,
        (error: Error) => error.message,
      );
      return result;
    }, 30_000);
    expect(refused).toMatch(/has ended \(cancelled\)/);
  });

  it('keeps the token of an idle session valid while a callback-mode child it waits on runs, and ends it after', { timeout: 90_000 }, async () => {
    // The parent starts a child in callback mode that runs until stopped, then its own run ends (idle).
    const parent = await bed.drive([{ tool: 'start_agent_session', args: { prompt: 'long', executor: 'slow-echo', mode: 'callback' }, as: 'kid' }]);
    const view = await bed.waitEnded(parent);
    expect(view.status).toBe('idle');
    const kid = (view.result!.result_data as { calls: Array<{ data: { session_id: string } }> }).calls[0]!.data;
    const client = await bed.client(parent);
    const listed = toolData(await client.callTool({ name: 'list_agent_sessions', arguments: {} }));
    expect(listed.sessions.map((s: { session_id: string }) => s.session_id)).toEqual([kid.session_id]);
    // The child is stopped: its outcome resumes the parent once, and when that run ends the token ends too.
    await bed.user.stopSession(kid.session_id);
    await eventually(async () => (await bed.coordinator.store.listRuns(parent)).length === 2 || undefined, 30_000);
    await bed.waitEnded(parent);
    expect(await eventually(async () => {
      const answer = await tryConnect(bed, parent);
      return answer === true ? undefined : answer;
    }, 30_000)).toMatch(/has ended \(idle\)/);
  });
});
