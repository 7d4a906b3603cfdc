/** One server-sent event: its `id` (for Last-Event-ID), `event` name and `data` (lines joined by \n). */
export interface SseMessage {
  id: string | undefined;
  event: string;
  data: string;
}

/**
 * Parse a text/event-stream body (https://html.spec.whatwg.org/multipage/server-sent-events.html):
 * lines ending in LF, CRLF or CR; `:` comments (keep-alives) skipped; a blank line dispatches.
 */
export async function* readSse(body: AsyncIterable<Uint8Array | string>): AsyncGenerator<SseMessage> {
  const decoder = new TextDecoder();
  let buffer = '';
  let data: string[] = [];
  let event = '';
  let id: string | undefined;
  function* lines(final: boolean): Generator<SseMessage> {
    for (;;) {
      const match = /\r\n|\n|\r/.exec(buffer);
      // A lone CR at the very end may be the first half of a CRLF: wait for more, unless the body ended.
      if (match === null || (!final && match[0] === '\r' && match.index === buffer.length - 1)) return;
      const line = buffer.slice(0, match.index);
      buffer = buffer.slice(match.index + match[0].length);
      if (line === '') {
        if (data.length > 0) yield { id, event: event || 'message', data: data.join('\n') };
        data = [];
        event = '';
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
      else if (field === 'id' && !value.includes('\0')) id = value;
    }
  }
  for await (const chunk of body) {
    buffer += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
    yield* lines(false);
  }
  yield* lines(true);
}
