import type { Invocation } from '../../protocol/invocation.js';

/**
 * The example payload of DESIGN §4, verbatim (without its comments). It must always validate, and
 * `executor check` feeds it to executors (with `project_dir` pointed at a real folder).
 */
export const SEED_INVOCATION = {
  schema_version: '2.0',
  mode: 'start',
  session_id: 'ses_abc123',
  prompt: 'User input text',
  project_dir: '/path/to/project',
  agent_blueprint: {
    name: 'worker-agent',
    system_prompt: 'You are a worker agent...',
    mcp_servers: {
      orchestrator: {
        type: 'http',
        url: 'http://127.0.0.1:54321/mcp',
        headers: { 'X-Agent-Session-Id': 'ses_abc123', Authorization: 'Bearer …' },
      },
    },
  },
  metadata: { run_id: 'run_…', runner_id: '…', attempt: 1, executor_session_id: '…' },
} as const satisfies Invocation;
