import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { McpTestBed, toolData } from './harness.js';

describe('the MCP tools: a session sees and acts on itself and its descendants only', () => {
  let bed: McpTestBed;
  beforeEach(async () => (bed = await McpTestBed.start()));
  afterEach(async () => bed.close());

  it('cannot see, list, wait on, resume or stop another session\'s children, nor its parent', async () => {
    const alice = await bed.liveSession('alice');
    const bob = await bed.endedSession('bob');
    const bobsChild = await bed.endedSession('bob child', { parent_session_id: bob.session_id });
    const alicesChild = await bed.liveSession('alice child', { parent_session_id: alice.session_id });
    const client = await bed.client(alicesChild.session_id);
    const asAlice = await bed.client(alice.session_id);
    const refused: Array<[string, Record<string, unknown>]> = [
      ['get_agent_session', { session_id: bobsChild.session_id }],
      ['get_agent_session', { session_id: bob.session_id }],
      ['wait_for_agent_sessions', { session_ids: [bobsChild.session_id], timeout_s: 1 }],
      ['stop_agent_session', { session_id: bobsChild.session_id }],
      ['resume_agent_session', { session_id: bobsChild.session_id, prompt: 'hijack' }],
    ];
    for (const [name, args] of refused) {
      const result = await asAlice.callTool({ name, arguments: args });
      expect(result.isError, name).toBe(true);
      expect(toolData(result), name).toMatch(/is not yours: you may only see and act on your own session/);
    }
    const up = await client.callTool({ name: 'get_agent_session', arguments: { session_id: alice.session_id } });
    expect(up.isError).toBe(true);
    const listed = toolData(await asAlice.callTool({ name: 'list_agent_sessions', arguments: {} }));
    expect(listed.sessions.map((s: { session_id: string }) => s.session_id)).toEqual([alicesChild.session_id]);
    expect((await bed.user.getSession(bobsChild.session_id)).status).toBe('idle');
  });

  it('refuses a forged session id paired with the caller\'s own token', async () => {
    const alice = await bed.endedSession('alice');
    const bob = await bed.endedSession('bob');
    await expect(bed.client(bob.session_id, { 'X-Agent-Session-Id': bob.session_id, Authorization: `Bearer ${bed.token(alice.session_id)}` })).rejects.toThrow(/403|not the token/);
  });

  it('keeps callers apart when their requests interleave on the endpoint\'s reused servers', async () => {
    const alice = await bed.liveSession('alice');
    const bob = await bed.liveSession('bob');
    const clients = { [alice.session_id]: await bed.client(alice.session_id), [bob.session_id]: await bed.client(bob.session_id) };
    const ids = [alice.session_id, bob.session_id];
    const results = await Promise.all(
      Array.from({ length: 40 }, async (_, i) => {
        const me = ids[i % 2]!;
        const other = ids[(i + 1) % 2]!;
        const own = await clients[me]!.callTool({ name: 'get_agent_session', arguments: { session_id: me } });
        const theirs = await clients[me]!.callTool({ name: 'get_agent_session', arguments: { session_id: other } });
        return own.isError !== true && toolData(own).session_id === me && theirs.isError === true;
      }),
    );
    expect(results.every(Boolean)).toBe(true);
  });
});
