import type { ExecutorEvent } from '../../protocol/executor-event.js';
import type { RunOutcome } from '../process/run-outcome.js';
import type { Style } from './style.js';
import { terminalText } from './terminal-text.js';

/** Width of the label column: fits "tool result" and a space. */
export const LABEL_WIDTH = 12;

function oneLine(value: unknown, max = 200): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? '';
  const flat = terminalText(text.replace(/\s+/g, ' ').trim());
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** Multi-line executor text, safe for a terminal, with its later lines indented under the first. */
function block(text: string): string {
  return terminalText(text, { lines: true }).split('\n').join(`\n${' '.repeat(LABEL_WIDTH + 2)}`);
}

/**
 * One event as a readable line (or lines, for multi-line messages) for a terminal. Every text the
 * executor gave passes through terminalText: no escape sequence of its own reaches the terminal.
 */
export function renderEvent(event: ExecutorEvent, style: Style): string {
  const label = (name: string) => `  ${name.padEnd(LABEL_WIDTH)}`;
  const text = (value: string) => terminalText(value);
  switch (event.type) {
    case 'bind':
      return style.dim(`${label('bind')}executor session ${text(event.executor_session_id)}`);
    case 'message':
      return `${style.cyan(label(event.role))}${block(event.text)}`;
    case 'tool_call':
      return `${style.yellow(label('tool call'))}${text(event.name)}(${oneLine(event.input ?? '')})`;
    case 'tool_result':
      return `${style.yellow(label('tool result'))}${event.is_error ? style.red('error: ') : ''}${oneLine(event.output ?? '')}`;
    case 'progress':
      return `${label('progress')}${event.percent === undefined ? '' : `${event.percent}% `}${text(event.message)}`;
    case 'usage': {
      const cost = event.cost_usd === undefined ? '' : `, $${event.cost_usd.toFixed(4)}`;
      return style.dim(`${label('usage')}${event.input_tokens ?? 0} in / ${event.output_tokens ?? 0} out tokens${cost}`);
    }
    case 'result': {
      const body = event.result_text === undefined ? oneLine(event.result_data) : block(event.result_text);
      return `${(event.is_error ? style.red : style.green)(label('result'))}${body}`;
    }
    case 'log': {
      const why = event.reason === undefined ? '' : style.yellow(`  (${text(event.reason)})`);
      return style.dim(`${label(event.stream === 'stderr' ? 'stderr' : 'log')}${text(event.message)}`) + why;
    }
    case 'rate_limited': {
      const what = event.scope === 'model' ? `model ${text(event.model ?? '')}` : 'credential';
      const until = event.retry_at === undefined ? 'no reset time given' : `resets at ${text(event.retry_at)}`;
      return style.yellow(`${label('rate limit')}${what}, ${until}: ${oneLine(event.message)}`);
    }
  }
}

/** The closing line: what happened, how long it took, and the exit code or signal. */
export function renderOutcome(outcome: RunOutcome, style: Style): string {
  const how = outcome.signal !== null ? `signal ${outcome.signal}` : outcome.exit_code === null ? 'not started' : `exit ${outcome.exit_code}`;
  const line = `${terminalText(outcome.message)} in ${outcome.duration_ms} ms (${how})`;
  return outcome.kind === 'succeeded' ? style.green(`✔ ${line}`) : style.red(`✘ ${line}`);
}
