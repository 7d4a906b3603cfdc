import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { McpTestBed } from './harness.js';

type Call = { tool: string; is_error: boolean; data: any; progress: string[] };
const calls = (view: { result: { result_data?: unknown } | null }) => (view.result?.result_data as { calls: Call[] }).calls;

describe('an executor drives the MCP endpoint from inside its process', () => {
  let bed: McpTestBed;
  beforeEach(async () => (bed = await McpTestBed.start({ concurrency: 16 })));
  afterEach(async () => bed.close());

  it('finds the orchestrator entry in its blueprint, reports progress and a result into its own run', async () => {
    const id = await bed.drive([
      { tool: 'report_progress', args: { message: 'half way', percent: 50 } },
      { tool: 'report_result', args: { result_data: { answer: 42 } } },
      { tool: 'get_agent_session', args: { session_id: '$self' } },
    ]);
    const view = await bed.waitEnded(id);
    expect(view.status).toBe('idle');
    const runId = view.last_run_id;
    // The agent's report_result is the session's result: the driver's own final result (its calls) does not replace it.
    expect(view.result).toEqual({ via: 'report_result', run_id: runId, result_data: { answer: 42 } });
    const { events } = await bed.user.eventsPage(id);
    const final = events.find((e) => e.type === 'result' && (e.event as { result_text?: string }).result_text === 'driver done');
    const [progress, result] = calls({ result: final!.event as { result_data?: unknown } });
    expect(progress).toMatchObject({ is_error: false, data: { reported: true } });
    expect(result).toMatchObject({ is_error: false, data: { reported: true } });
    expect(events.find((e) => e.type === 'progress')).toMatchObject({ run_id: runId, event: { message: 'half way', percent: 50 } });
    expect(events.find((e) => e.type === 'result' && (e.event as { result_data?: unknown }).result_data !== undefined)).toMatchObject({
      run_id: runId,
      event: { result_data: { answer: 42 } },
    });
  });

  it('sync mode with a progress token streams the child\'s events as progress before the result', async () => {
    const id = await bed.drive([{ tool: 'start_agent_session', args: { prompt: 'sync child', executor: 'test-executor', mode: 'sync' }, progress: true }]);
    const [call] = calls(await bed.waitEnded(id));
    expect(call!.is_error).toBe(false);
    expect(call!.data).toMatchObject({ status: 'idle', parent_session_id: id, result: { result_text: 'Echo: sync child' } });
    expect(call!.progress).toEqual(expect.arrayContaining(['run running', 'assistant: Echo: sync child', 'result: Echo: sync child', 'run succeeded']));
  });

  it('fans out to 10 async children and fans in with wait_for_agent_sessions', async () => {
    const id = await bed.drive([
      { tool: 'start_agent_session', args: { prompt: 'fan', executor: 'test-executor', mode: 'async' }, repeat: 10, as: 'kids' },
      { tool: 'wait_for_agent_sessions', args: { session_ids: '$kids[].session_id', timeout_s: 60 } },
      { tool: 'list_agent_sessions', args: {} },
    ]);
    const view = await bed.waitEnded(id);
    const all = calls(view);
    const started = all.slice(0, 10).map((c) => c.data.session_id);
    expect(new Set(started).size).toBe(10);
    const waited = all[10]!;
    expect(waited.data.all_ended).toBe(true);
    expect(waited.data.sessions.map((s: { session_id: string }) => s.session_id)).toEqual(started);
    for (const s of waited.data.sessions) expect(s).toMatchObject({ status: 'idle', parent_session_id: id, result: { result_text: 'Echo: fan' } });
    expect(all[11]!.data.sessions).toHaveLength(10);
  });

  const callbackScript = (extra: unknown[] = []) => [
    { tool: 'start_agent_session', args: { prompt: 'callback child', executor: 'test-executor', mode: 'callback' }, repeat: 3, as: 'kids' },
    { tool: 'wait_for_agent_sessions', args: { session_ids: '$kids[].session_id', timeout_s: 60 } },
    ...extra,
  ];

  /** The parent's runs once its callback resume ended, and the children it started. */
  async function resumedParent(id: string) {
    const view = await bed.waitEnded(id);
    expect(view.status).toBe('idle');
    const runs = (await bed.coordinator.store.listRuns(id)).map((r) => ({ mode: r.mode, status: r.status, prompt: r.prompt }));
    const children = (await bed.user.listSessions({ parent: id })).sessions.map((s) => s.session_id);
    return { view, runs, children };
  }

  it('callback mode: three children end while the parent runs; the parent is resumed once with all three outcomes', async () => {
    const id = await bed.drive(callbackScript());
    const { runs, children, view } = await waitForResume(id);
    expect(children).toHaveLength(3);
    expect(runs.map((r) => r.mode)).toEqual(['start', 'resume']);
    expect(runs[1]!.prompt).toContain('<agent-callbacks count="3">');
    for (const child of children) expect(runs[1]!.prompt).toContain(`session="${child}"`);
    expect(runs[1]!.prompt.match(/Echo: callback child/g)).toHaveLength(3);
    expect(view.result?.result_text).toContain('count="3"');
  });

  it('callback mode: the outcomes survive a coordinator restart between the children\'s end and the resume', async () => {
    const gate = join(bed.dir, 'gate');
    const id = await bed.drive(callbackScript([{ wait_file: gate }]));
    await bed.waitForEvent(id, (e) => e.type === 'tool_result' && (e.event as { name?: string }).name === 'wait_for_agent_sessions');
    const waiting = await bed.coordinator.store.listCallbacks(id);
    expect(waiting.map((c) => c.delivered_run_id)).toEqual([null, null, null]);
    await bed.restartCoordinator();
    writeFileSync(gate, '');
    const { runs, children } = await waitForResume(id);
    expect(runs.map((r) => r.mode)).toEqual(['start', 'resume']);
    for (const child of children) expect(runs[1]!.prompt).toContain(`session="${child}"`);
  });

  /** Wait until the parent's second run (the callback resume) succeeded. */
  async function waitForResume(id: string) {
    let succeeded = 0;
    await bed.waitForEvent(id, (e) => e.type === 'run_status' && e.event.status === 'succeeded' && ++succeeded === 2);
    return resumedParent(id);
  }
});
