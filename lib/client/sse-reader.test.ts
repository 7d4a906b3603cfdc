import { describe, expect, it } from 'vitest';
import { readSse, type SseMessage } from './sse-reader.js';

async function collect(chunks: string[]): Promise<SseMessage[]> {
  const out: SseMessage[] = [];
  async function* source() {
    for (const c of chunks) yield new TextEncoder().encode(c);
  }
  for await (const m of readSse(source())) out.push(m);
  return out;
}

describe('readSse', () => {
  it('parses ids, events, multi-line data and skips comments, across chunk boundaries', async () => {
    const messages = await collect(['retry: 1000\n: connected\n\nid: 1\nda', 'ta: {"a":1}\n\n', ': keep-alive\n\nid: 2\nevent: status\ndata: x\ndata: y\n\n']);
    expect(messages).toEqual([
      { id: '1', event: 'message', data: '{"a":1}' },
      { id: '2', event: 'status', data: 'x\ny' },
    ]);
  });

  it('accepts CRLF and CR line endings, including a CRLF split between chunks', async () => {
    expect(await collect(['id: 7\r', '\ndata: a\r\n\r\n', 'data: b\r\r'])).toEqual([
      { id: '7', event: 'message', data: 'a' },
      { id: '7', event: 'message', data: 'b' },
    ]);
  });
});
