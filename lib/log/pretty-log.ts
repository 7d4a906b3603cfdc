import { printableText, printableValue } from './printable-text.js';

/** pino's numeric levels and the label a person reads. */
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
/** SGR colour of each level's label on a colour terminal. */
const LEVEL_COLOURS: Record<number, number> = { 10: 90, 20: 90, 30: 32, 40: 33, 50: 31, 60: 35 };
/** Fields every line has, or that say nothing to a person reading one process's logs (pino's own). */
const HIDDEN = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'component', 'v']);

export interface PrettyOptions {
  /** Colour the level and dim the field names (a colour terminal; NO_COLOR unset). */
  colour: boolean;
}

const two = (n: number) => String(n).padStart(2, '0');

/** Local time, to the millisecond: `2026-12-01 15:42:57.123`. */
function localTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

const isScalar = (value: unknown) => value === null || ['string', 'number', 'boolean'].includes(typeof value);

/** A field's value as one token: strings as they are (quoted when needed), a list as `[a,b]`, anything else as JSON. */
function fieldValue(value: unknown): string {
  if (typeof value === 'string') return printableValue(value);
  if (isScalar(value)) return String(value);
  if (Array.isArray(value) && value.every(isScalar)) return `[${value.map(fieldValue).join(',')}]`;
  return printableText(JSON.stringify(value) ?? String(value));
}

/**
 * pino's serialised error (`err`): its message on the line, the frames of its stack (`at …`, indented)
 * under it. Only frame lines: the rest of a stack repeats the message, whose newlines could otherwise
 * start lines of their own.
 */
function errorParts(err: unknown): { inline: string; below: string[] } {
  if (typeof err !== 'object' || err === null) return { inline: fieldValue(err), below: [] };
  const { message, stack } = err as { message?: unknown; stack?: unknown };
  const inline = fieldValue(typeof message === 'string' ? message : err);
  const below = typeof stack === 'string' ? stack.split('\n').filter((l) => /^\s+at /.test(l)).map((l) => `    ${printableText(l.trimStart())}`) : [];
  return { inline, below };
}

/**
 * One pino JSON line as a person reads it: `time LEVEL [component] message key=value …`, then an error's
 * stack indented below. Every message, key and value is escaped (printable-text.ts), so a log line is
 * always one line of plain text whatever the logged values hold. A line that is not pino JSON is
 * escaped and kept.
 */
export function formatLogLine(line: string, options: PrettyOptions): string {
  let record: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not a record');
    record = parsed as Record<string, unknown>;
  } catch {
    return `${printableText(line.replace(/\n$/, ''))}\n`;
  }
  const paint = (sgr: number, text: string) => (options.colour ? `\u001b[${sgr}m${text}\u001b[0m` : text);
  const level = typeof record.level === 'number' ? record.level : 30;
  const label = (LEVELS[level] ?? `L${level}`).padEnd(5);
  const time = typeof record.time === 'number' ? localTime(record.time) : localTime(Date.now());
  const parts = [paint(90, time), paint(LEVEL_COLOURS[level] ?? 0, label)];
  if (typeof record.component === 'string') parts.push(paint(36, `[${printableText(record.component)}]`));
  if (record.msg !== undefined) parts.push(printableText(typeof record.msg === 'string' ? record.msg : JSON.stringify(record.msg)));
  let below: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    if (HIDDEN.has(key) || value === undefined) continue;
    const name = paint(2, `${printableValue(key)}=`);
    if (key === 'err') {
      const err = errorParts(value);
      parts.push(`${name}${err.inline}`);
      below = err.below;
    } else {
      parts.push(`${name}${fieldValue(value)}`);
    }
  }
  return `${[parts.join(' '), ...below].join('\n')}\n`;
}

/** Where pino writes: anything with a `write(text)` (a SonicBoom from pino.destination). */
export interface LineSink {
  write(text: string): unknown;
  flushSync?(): void;
}

/** A pino destination that writes each JSON line to `sink` formatted for people. */
export function prettyDestination(sink: LineSink, options: PrettyOptions): LineSink {
  const format = (chunk: string) =>
    chunk
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => formatLogLine(line, options))
      .join('');
  return {
    write: (chunk: string) => sink.write(format(chunk)),
    // pino flushes on fatal; the SonicBoom flushes itself at exit.
    flushSync: () => sink.flushSync?.(),
  };
}
