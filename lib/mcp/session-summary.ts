import type { SessionEvent } from '../../protocol/events.js';
import type { SessionView } from '../../protocol/sessions.js';
import { truncateText } from './tool-result.js';

/** Characters of an event kept in a progress notification's message. */
const PROGRESS_TEXT_CHARS = 300;

/**
 * What a tool tells an agent about a session: status, result (text cut to the limit), usage, times, and its
 * tree: the usage of the session and every descendant, how many sessions it holds, and what its budgets
 * leave (`budget_left`, when one applies: dollars, tokens, seconds, levels, children and sessions), and why
 * the coordinator stopped it (`stop_reason`), so an orchestrating agent can decide what to start next.
 */
export function summarizeSession(view: SessionView, error?: string | null) {
  const result = view.result === null ? null : { ...view.result, ...(typeof view.result.result_text === 'string' ? { result_text: truncateText(view.result.result_text) } : {}) };
  return { ...identity(view), result, usage: view.usage, tree: treeOf(view), ...(error === undefined || error === null ? {} : { error }) };
}

/** The session's tree as summarizeSession shows it. */
function treeOf(view: SessionView) {
  return {
    usage: view.tree_totals,
    sessions: view.descendants_count + 1,
    budget: view.budget,
    ...(view.budget_left === undefined || view.budget_left === null ? {} : { budget_left: view.budget_left }),
    ...(view.stop_reason === null ? {} : { stop_reason: view.stop_reason }),
  };
}

/** What every description of a session starts with. */
function identity(view: SessionView) {
  const { session_id, status, agent, executor, parent_session_id, created_at, ended_at } = view;
  // Said only when true: a session waiting for a person's answer (a question or approval of it is open).
  return { session_id, status, agent, executor, parent_session_id, created_at, ended_at, ...(view.waiting_for_input === true ? { waiting_for_input: true } : {}) };
}

/** A short line about a list entry (no result, prompt cut), for `list_agent_sessions`. */
export function listEntry(view: SessionView) {
  return { ...identity(view), prompt: truncateText(view.prompt, 200) };
}

/** One line describing a child's event, for an MCP progress notification. */
export function describeEvent(event: SessionEvent): string {
  const e = event.event;
  const cut = (text: unknown) => String(text ?? '').slice(0, PROGRESS_TEXT_CHARS);
  switch (e.type) {
    case 'message':
      return `${cut(e.role)}: ${cut(e.text)}`;
    case 'tool_call':
      return `tool call: ${cut(e.name)}`;
    case 'tool_result':
      return `tool result${e.name === undefined ? '' : `: ${cut(e.name)}`}${e.is_error === true ? ' (error)' : ''}`;
    case 'progress':
      return `progress: ${cut(e.message)}${typeof e.percent === 'number' ? ` (${e.percent}%)` : ''}`;
    case 'result':
      return `result: ${cut(e.result_text ?? JSON.stringify(e.result_data))}`;
    case 'run_status':
      return `run ${cut(e.status)}`;
    case 'question':
      return `waiting for a person: ${cut(e.question)}`;
    case 'answer':
      return `question ${cut(e.status)}`;
    default:
      return cut(e.type);
  }
}
