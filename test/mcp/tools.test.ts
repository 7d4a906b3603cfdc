import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_TOOL_PROMPT_CHARS } from '../../lib/mcp/tool-limits.js';
import { McpTestBed, toolData } from './harness.js';

describe('the MCP tools, called by the official client', () => {
  let bed: McpTestBed;
  beforeEach(async () => (bed = await McpTestBed.start()));
  afterEach(async () => bed.close());

  it('list_agents lists the blueprints with name, description, executor and tags', async () => {
    await bed.coordinator.store.putAgent({ name: 'worker', description: 'does work', executor: 'test-executor', tags: ['x'] }, Date.now());
    const me = await bed.liveSession();
    const client = await bed.client(me.session_id);
    const result = await client.callTool({ name: 'list_agents', arguments: {} });
    expect(toolData(result)).toEqual({ agents: [{ name: 'worker', description: 'does work', executor: 'test-executor', tags: ['x'] }] });
  });

  it('start_agent_session sync returns the child result; async returns its id; the parent is the caller', async () => {
    const me = await bed.liveSession();
    const client = await bed.client(me.session_id);
    const sync = toolData(await client.callTool({ name: 'start_agent_session', arguments: { prompt: 'one', executor: 'test-executor', mode: 'sync' } }));
    expect(sync).toMatchObject({ status: 'idle', parent_session_id: me.session_id, result: { result_text: 'Echo: one' } });
    expect(sync.usage).toBeTruthy();
    const async = toolData(await client.callTool({ name: 'start_agent_session', arguments: { prompt: 'two', mode: 'async' } }));
    expect(async).toMatchObject({ mode: 'async' });
    expect(async.session_id).toMatch(/^ses_/);
    const child = await bed.waitEnded(async.session_id);
    expect(child).toMatchObject({ parent_session_id: me.session_id, executor: 'test-executor', result: { result_text: 'Echo: two' } });
  });

  it('sync mode sends progress notifications for the child\'s events before the result, when given a progress token', async () => {
    const me = await bed.liveSession();
    const client = await bed.client(me.session_id);
    const order: string[] = [];
    const result = await client.callTool({ name: 'start_agent_session', arguments: { prompt: 'watch', executor: 'test-executor' } }, undefined, {
      onprogress: (p) => order.push(`progress ${p.progress}: ${p.message}`),
    });
    order.push('result');
    expect(toolData(result).result.result_text).toBe('Echo: watch');
    expect(order.length).toBeGreaterThan(3);
    expect(order[order.length - 1]).toBe('result');
    expect(order).toContain('progress 2: run claimed');
    expect(order[order.length - 2]).toMatch(/run succeeded$/);
  });

  it('resume, get, list, wait and stop act on the caller\'s children', async () => {
    const me = await bed.liveSession();
    const client = await bed.client(me.session_id);
    const child = toolData(await client.callTool({ name: 'start_agent_session', arguments: { prompt: 'first', executor: 'test-executor' } }));
    const resumed = toolData(await client.callTool({ name: 'resume_agent_session', arguments: { session_id: child.session_id, prompt: 'again', mode: 'sync' } }));
    expect(resumed.result.result_text).toBe('Echo: again');
    const got = toolData(await client.callTool({ name: 'get_agent_session', arguments: { session_id: child.session_id } }));
    expect(got).toMatchObject({ session_id: child.session_id, status: 'idle' });
    const grandchild = await bed.endedSession('deeper', { parent_session_id: child.session_id });
    const listed = toolData(await client.callTool({ name: 'list_agent_sessions', arguments: {} }));
    expect(listed.sessions.map((s: { session_id: string }) => s.session_id)).toEqual([child.session_id, grandchild.session_id]);
    const idle = toolData(await client.callTool({ name: 'list_agent_sessions', arguments: { status: 'failed' } }));
    expect(idle.sessions).toEqual([]);
    const waited = toolData(await client.callTool({ name: 'wait_for_agent_sessions', arguments: { session_ids: [child.session_id, grandchild.session_id], timeout_s: 30 } }));
    expect(waited).toMatchObject({ all_ended: true, timed_out: false });
    expect(waited.sessions).toHaveLength(2);
    const stopped = toolData(await client.callTool({ name: 'stop_agent_session', arguments: { session_id: child.session_id } }));
    expect(stopped).toMatchObject({ session_id: child.session_id, status: 'idle', stop_requested: false });
  });

  it('wait_for_agent_sessions returns at its timeout with the sessions still running', async () => {
    const me = await bed.liveSession();
    // A child no runner can serve stays queued.
    const { session_id } = await bed.user.createSession({ executor: 'nobody-has-this', prompt: 'x', parent_session_id: me.session_id });
    const client = await bed.client(me.session_id);
    const waited = toolData(await client.callTool({ name: 'wait_for_agent_sessions', arguments: { session_ids: [session_id], timeout_s: 0.2 } }));
    expect(waited).toMatchObject({ all_ended: false, timed_out: true, sessions: [{ session_id, status: 'queued' }] });
    const stopped = toolData(await client.callTool({ name: 'stop_agent_session', arguments: { session_id } }));
    expect(stopped).toMatchObject({ status: 'cancelled', run_status: 'cancelled' });
  });

  it('callback mode returns at once and resumes the idle caller with the child\'s outcome', async () => {
    // The caller runs (a driver waiting for a file) while it starts the child, and is idle once the file exists.
    const go = join(bed.dir, 'go');
    const me = { session_id: await bed.drive([{ wait_file: go }]) };
    await bed.waitForEvent(me.session_id, (e) => e.type === 'run_status' && e.event.status === 'running');
    const client = await bed.client(me.session_id);
    const started = toolData(await client.callTool({ name: 'start_agent_session', arguments: { prompt: 'call me back', executor: 'test-executor', mode: 'callback' } }));
    expect(started).toMatchObject({ mode: 'callback', status: 'queued' });
    writeFileSync(go, '');
    let ended = 0;
    await bed.waitForEvent(me.session_id, (e) => e.type === 'run_status' && e.event.status === 'succeeded' && ++ended === 2);
    const runs = await bed.coordinator.store.listRuns(me.session_id);
    expect(runs.map((r) => r.mode)).toEqual(['start', 'resume']);
    expect(runs[1]!.prompt).toContain(`session="${started.session_id}"`);
    expect(runs[1]!.prompt).toContain('Echo: call me back');
    const { callbacks } = (await (await fetch(`${bed.coordinator.url}/v1/sessions/${me.session_id}/callbacks`)).json()) as { callbacks: unknown[] };
    expect(callbacks).toEqual([expect.objectContaining({ child_session_id: started.session_id, status: 'succeeded', delivered_run_id: runs[1]!.id })]);
  });

  it('stops a running child, and a sync start returns at its timeout with the child still running', async () => {
    const me = await bed.liveSession();
    const client = await bed.client(me.session_id);
    const progress: string[] = [];
    // The child runs until stopped, so the call always lasts its timeout: long enough for a busy machine to
    // claim the child and start it (its first event must arrive before), short enough to stay cheap.
    const waited = toolData(
      await client.callTool({ name: 'start_agent_session', arguments: { prompt: 'forever', executor: 'slow-echo', timeout_s: 5 } }, undefined, {
        onprogress: (p) => progress.push(String(p.message)),
      }),
    );
    expect(waited).toMatchObject({ status: 'running', note: expect.stringMatching(/still running after 5 s/) });
    expect(progress).toContain('progress: working');
    const stopped = toolData(await client.callTool({ name: 'stop_agent_session', arguments: { session_id: waited.session_id } }));
    expect(stopped).toMatchObject({ session_id: waited.session_id, stop_requested: true });
    const ended = toolData(await client.callTool({ name: 'wait_for_agent_sessions', arguments: { session_ids: [waited.session_id], timeout_s: 30 } }));
    expect(ended).toMatchObject({ all_ended: true, sessions: [{ session_id: waited.session_id, status: 'cancelled' }] });
  });

  it('stop_agent_session stops the child\'s own descendants too, unless cascade is false', async () => {
    const me = await bed.liveSession();
    const client = await bed.client(me.session_id);
    const tree = async () => {
      const child = await bed.liveSession('child', { parent_session_id: me.session_id });
      return { child, grandchild: await bed.liveSession('grandchild', { parent_session_id: child.session_id }) };
    };
    const alone = await tree();
    const stopped = toolData(await client.callTool({ name: 'stop_agent_session', arguments: { session_id: alone.child.session_id, cascade: false } }));
    expect(stopped).toMatchObject({ status: 'cancelled', descendants_stopped: [], more_descendants: false });
    expect((await bed.user.getSession(alone.grandchild.session_id)).status).toBe('queued');
    const whole = await tree();
    const cascaded = toolData(await client.callTool({ name: 'stop_agent_session', arguments: { session_id: whole.child.session_id } }));
    expect(cascaded).toMatchObject({ status: 'cancelled', descendants_stopped: [whole.grandchild.session_id], more_descendants: false });
    expect((await bed.user.getSession(whole.grandchild.session_id)).status).toBe('cancelled');
  });

  it('refuses malformed input with a message that names the field', async () => {
    const me = await bed.liveSession();
    const client = await bed.client(me.session_id);
    const bad: Array<[string, Record<string, unknown>, RegExp]> = [
      ['start_agent_session', {}, /prompt/],
      ['start_agent_session', { prompt: '' }, /prompt/],
      ['start_agent_session', { prompt: 'x'.repeat(MAX_TOOL_PROMPT_CHARS + 1) }, /longer than/],
      ['start_agent_session', { prompt: 'x', mode: 'later' }, /mode/],
      ['start_agent_session', { prompt: 'x', agent: 'no-such-agent' }, /no agent named/],
      ['resume_agent_session', { session_id: me.session_id }, /prompt/],
      ['get_agent_session', { session_id: 42 }, /session_id/],
      ['get_agent_session', { session_id: 'ses_nope' }, /no session ses_nope/],
      ['wait_for_agent_sessions', { session_ids: [] }, /session_ids/],
      ['wait_for_agent_sessions', { session_ids: [me.session_id] }, /your own session/],
      ['list_agent_sessions', { status: 'done' }, /status/],
      ['stop_agent_session', {}, /session_id/],
      ['report_progress', { percent: 50 }, /message/],
      ['report_progress', { message: 'x', percent: 150 }, /percent/],
      ['report_result', {}, /result_text, result_data/],
      ['report_result', { result_text: 'done' }, /no run of session/],
    ];
    for (const [name, args, message] of bad) {
      const result = await client.callTool({ name, arguments: args });
      expect(result.isError, `${name} ${JSON.stringify(args).slice(0, 80)}`).toBe(true);
      expect(toolData(result), name).toMatch(message);
    }
  });
});
