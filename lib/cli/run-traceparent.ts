import { traceparentProblem } from '../../protocol/trace-context.js';
import { terminalText } from './terminal-text.js';

/**
 * The trace `agent-runner run` continues: the TRACEPARENT of its environment (a CI job's, an outer tool's),
 * when it is a valid W3C traceparent. A malformed one is left out with a warning for stderr (the run then
 * starts a trace of its own): a variable set by another tool should not stop the run. Pure.
 */
export function traceparentFromEnv(env: NodeJS.ProcessEnv): { traceparent?: string; warning?: string } {
  const value = env.TRACEPARENT?.trim();
  if (value === undefined || value === '') return {};
  const problem = traceparentProblem(value);
  if (problem === null) return { traceparent: value };
  return { warning: `agent-runner: ignoring TRACEPARENT "${terminalText(value.slice(0, 80))}": it ${problem}\n` };
}
