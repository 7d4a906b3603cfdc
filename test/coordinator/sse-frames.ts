// SSE frames read off a fetch response, for tests of the event streams.

/** Read SSE frames from a fetch response: messages (id + parsed data) and comment lines. */
export function sseReader(res: Response) {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const next = async (): Promise<{ id?: string; data?: any; comment?: string }> => {
    for (;;) {
      const end = buffer.indexOf('\n\n');
      if (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const frame: { id?: string; data?: any; comment?: string } = {};
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(': ')) frame.comment = line.slice(2);
          else if (line.startsWith('id: ')) frame.id = line.slice(4);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length > 0) frame.data = JSON.parse(data.join('\n'));
        return frame;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buffer += decoder.decode(value, { stream: true });
    }
  };
  /** The next `n` event messages, skipping comments. */
  const events = async (n: number) => {
    const out: any[] = [];
    while (out.length < n) {
      const frame = await next();
      if (frame.data !== undefined) out.push({ id: frame.id, ...frame.data });
    }
    return out;
  };
  return { next, events, cancel: () => reader.cancel() };
}
