import { describe, expect, it } from 'vitest';
import { ZERO_USAGE } from '../../protocol/tree.js';
import { runSpanId } from '../../lib/trace/trace-ids.js';
import type { RunRecord, SessionRecord } from '../types.js';
import { runSpan } from './run-spans.js';

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';

const session = (over: Partial<SessionRecord> = {}): SessionRecord => ({
  id: 'ses_1', agent: 'writer', executor: 'test', tags: [], project_dir: null, parent_session_id: null, priority: 0, timeout_s: null, prompt: 'x',
  status: 'idle', result: null, usage: { input_tokens: 5, cost_usd: 0.25 }, executor_session_id: null, runner_id: 'rnr_1', last_run_id: 'run_1', event_seq: 4,
  root_session_id: 'ses_1', depth: 0, ancestors: [], children: 0, descendants: 0, totals: ZERO_USAGE, tree_totals: ZERO_USAGE, budget: null, stop_reason: null,
  traceparent: `00-${TRACE}-0000000000000000-01`, created_at: 1_000, updated_at: 3_000, ended_at: 3_000, ...over,
} as SessionRecord);

const run = (over: Partial<RunRecord> = {}): RunRecord => ({
  id: 'run_1', session_id: 'ses_1', mode: 'start', prompt: 'x', status: 'succeeded', priority: 0, executor: 'test', tags: [], timeout_s: null,
  attempt: 1, max_attempts: 3, runner_id: 'rnr_1', executor_session_id: null, stop_requested: false, event_seq: 4, outcome: { kind: 'succeeded' },
  error: null, available_at: 1_000, created_at: 1_000, queued_at: 1_000, claimed_at: 1_100, started_at: 1_200, finished_at: 3_000,
  callback_session_id: null, excluded_runners: [], usage: null, ...over,
} as RunRecord);

describe('the span of a run, as the coordinator exports it', () => {
  it("a root's run is a root span of the session's trace, from queued to ended, with the session's latest usage", () => {
    expect(runSpan(run(), session())).toEqual({
      name: 'run writer', traceId: TRACE, spanId: runSpanId('run_1'), parentSpanId: null, flags: '01', startMs: 1_000, endMs: 3_000, error: undefined,
      attributes: {
        'agent_runner.session_id': 'ses_1', 'agent_runner.run_id': 'run_1', 'agent_runner.root_session_id': 'ses_1', 'agent_runner.depth': 0,
        'agent_runner.agent': 'writer', 'agent_runner.executor': 'test', 'agent_runner.runner_id': 'rnr_1', 'agent_runner.mode': 'start',
        'agent_runner.attempts': 1, 'agent_runner.status': 'succeeded', 'agent_runner.outcome': 'succeeded', 'agent_runner.queue_ms': 200,
        'agent_runner.input_tokens': 5, 'agent_runner.cost_usd': 0.25,
      },
    });
  });

  it("a child's run is under the span its session names; an earlier run does not take the session's latest usage; its own usage wins", () => {
    const child = session({ parent_session_id: 'ses_0', depth: 1, traceparent: `00-${TRACE}-${runSpanId('run_0')}-01`, last_run_id: 'run_2' });
    const span = runSpan(run(), child)!;
    expect(span.parentSpanId).toBe(runSpanId('run_0'));
    expect(span.attributes).not.toHaveProperty('agent_runner.input_tokens');
    expect(runSpan(run({ usage: { output_tokens: 9 } }), child)!.attributes).toMatchObject({ 'agent_runner.output_tokens': 9 });
  });

  it("a run's model (chosen at its claim) and its session's kind are attributes, the model also as gen_ai.request.model", () => {
    const span = runSpan(run({ model: 'claude-haiku', models: ['claude-haiku', 'claude-sonnet'] }), session({ kind: 'review' }))!;
    expect(span.attributes).toMatchObject({ 'agent_runner.model': 'claude-haiku', 'agent_runner.kind': 'review', 'gen_ai.request.model': 'claude-haiku' });
    expect(runSpan(run(), session())!.attributes).not.toHaveProperty('gen_ai.request.model');
  });

  it('a run that did not succeed is an error with its reason; no span without a trace context or an end', () => {
    expect(runSpan(run({ status: 'failed', error: 'exited with code 3', outcome: { kind: 'failed' } }), session())!.error).toBe('exited with code 3');
    expect(runSpan(run({ status: 'cancelled', outcome: null }), session())!.error).toBe('cancelled');
    expect(runSpan(run(), session({ traceparent: null }))).toBeNull();
    expect(runSpan(run({ finished_at: null }), session())).toBeNull();
  });
});
