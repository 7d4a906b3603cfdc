/** One Server-Sent Events message. */
export interface SseMessage {
  id?: string;
  event?: string;
  data: string;
}

const NO_NEWLINES = /[\r\n]/;

/**
 * Frame one SSE message: `id`/`event` must be one line; `data` is split on any line break into several
 * `data:` lines, as the spec requires. Pure.
 */
export function frameSseMessage(message: SseMessage): string {
  let out = '';
  if (message.id !== undefined) {
    if (NO_NEWLINES.test(message.id)) throw new Error('SSE id must not contain a line break');
    out += `id: ${message.id}\n`;
  }
  if (message.event !== undefined) {
    if (NO_NEWLINES.test(message.event)) throw new Error('SSE event must not contain a line break');
    out += `event: ${message.event}\n`;
  }
  for (const line of message.data.split(/\r\n|\r|\n/)) out += `data: ${line}\n`;
  return `${out}\n`;
}

/** A comment line, ignored by clients; used as a keep-alive. */
export function frameSseComment(text: string): string {
  return `: ${text.replace(/[\r\n]+/g, ' ')}\n\n`;
}

/** Parse a `Last-Event-ID` header into a sequence number; `null` when absent or not a number. */
export function parseLastEventId(header: string | undefined | null): number | null {
  if (header === undefined || header === null || !/^\d{1,15}$/.test(header.trim())) return null;
  return Number(header.trim());
}
