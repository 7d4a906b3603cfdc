import { EVENT_SCHEMAS, EVENT_TYPES, type EventType, type ExecutorEvent, type LogEvent } from '../../protocol/executor-event.js';
import { formatFieldIssues, toFieldIssues } from '../../protocol/field-issues.js';
import { findDeepNesting } from '../../protocol/json-shape.js';
import { MAX_JSON_DEPTH } from '../../protocol/limits.js';
import type { Line } from '../process/line-splitter.js';

export type OutputStream = 'stdout' | 'stderr';

const KNOWN_TYPES = new Set<string>(EVENT_TYPES);

function logLine(line: Line, stream: OutputStream, reason?: string): LogEvent {
  const event: LogEvent = { type: 'log', message: line.text, stream };
  if (reason !== undefined) event.reason = reason;
  if (line.truncated) {
    event.truncated = true;
    event.reason = `line of ${line.bytes} bytes truncated to its first ${Buffer.byteLength(line.text)} bytes` +
      (reason === undefined ? '' : `; ${reason}`);
  }
  return event;
}

/**
 * Turn one output line into an event. Never throws: a line that is not a valid event becomes a `log`
 * event, and when the line looked like an event (a JSON object) the log says why it was not one.
 *
 * @returns the event, or `undefined` for a blank line.
 */
export function parseEventLine(line: Line, stream: OutputStream): ExecutorEvent | undefined {
  const text = line.text;
  if (text.trim() === '') return undefined;
  if (stream === 'stderr') return logLine(line, stream);
  if (line.truncated) return logLine(line, stream);
  const first = text.charCodeAt(text.search(/\S/));
  if (first !== 0x7b /* { */) return logLine(line, stream);

  // Checked before parsing: a line nested deeper than anything may store or re-serialize stays a log.
  const deep = findDeepNesting(text, MAX_JSON_DEPTH);
  if (deep !== undefined) return logLine(line, stream, `not an event: ${deep.path} is ${deep.message} (the limit is ${MAX_JSON_DEPTH})`);

  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return logLine(line, stream, `invalid JSON: ${(error as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return logLine(line, stream, 'not a JSON object');
  }
  const type = (value as { type?: unknown }).type;
  if (type === undefined) return logLine(line, stream, 'JSON object without a "type" field');
  if (typeof type !== 'string' || !KNOWN_TYPES.has(type)) {
    return logLine(line, stream, `unknown event type ${JSON.stringify(type)} (known: ${EVENT_TYPES.join(', ')})`);
  }
  const parsed = EVENT_SCHEMAS[type as EventType].safeParse(value);
  if (!parsed.success) {
    return logLine(line, stream, `invalid ${type} event: ${formatFieldIssues(toFieldIssues(parsed.error))}`);
  }
  return parsed.data as ExecutorEvent;
}
