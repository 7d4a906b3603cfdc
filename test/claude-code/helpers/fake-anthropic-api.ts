import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One assistant turn the fake API answers with. */
export type FakeTurn =
  | { kind: 'text'; text: string }
  | { kind: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | { kind: 'status'; status: number; body: unknown; headers?: Record<string, string> }
  /** Never answer (the request stays open until the server closes): a model that takes forever. */
  | { kind: 'hang' };

/** A turn, or a function of the request body (and headers) that picks one (to answer what the request says, or who asks). */
export type ScriptedTurn = FakeTurn | ((body: any, headers: IncomingMessage['headers']) => FakeTurn);

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: any;
}

export interface FakeAnthropicApi {
  url: string;
  requests: RecordedRequest[];
  /** The requests that asked the model for a turn (POST /v1/messages). */
  turns(): RecordedRequest[];
  close(): Promise<void>;
}

const USAGE = { input_tokens: 12, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };

function sse(events: Array<Record<string, unknown>>): string {
  return events.map((e) => `event: ${String(e.type)}\ndata: ${JSON.stringify(e)}\n\n`).join('');
}

function streamTurn(turn: Extract<FakeTurn, { kind: 'text' | 'tool_use' }>, model: string, n: number): string {
  const block =
    turn.kind === 'text'
      ? { start: { type: 'text', text: '' }, delta: { type: 'text_delta', text: turn.text } }
      : { start: { type: 'tool_use', id: turn.id, name: turn.name, input: {} }, delta: { type: 'input_json_delta', partial_json: JSON.stringify(turn.input) } };
  return sse([
    { type: 'message_start', message: { id: `msg_fake_${n}`, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: USAGE } },
    { type: 'content_block_start', index: 0, content_block: block.start },
    { type: 'content_block_delta', index: 0, delta: block.delta },
    { type: 'content_block_stop', index: 0 },
    { type: 'message_delta', delta: { stop_reason: turn.kind === 'text' ? 'end_turn' : 'tool_use', stop_sequence: null }, usage: { output_tokens: 7 } },
    { type: 'message_stop' },
  ]);
}

/**
 * A fake Anthropic Messages API on 127.0.0.1: `POST /v1/messages` answers with the next scripted turn
 * (streamed as SSE, as Claude Code asks), or with `fallback` when the script has run out. Every request
 * is recorded.
 */
export async function startFakeAnthropicApi(script: ScriptedTurn[] = [], fallback: ScriptedTurn = { kind: 'text', text: 'ok' }): Promise<FakeAnthropicApi> {
  const requests: RecordedRequest[] = [];
  const queue = [...script];
  let n = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: any = null;
      try {
        body = raw === '' ? null : JSON.parse(raw);
      } catch {
        body = raw;
      }
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const path = (req.url ?? '').split('?')[0];
      if (req.method !== 'POST' || path !== '/v1/messages') {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'not_found_error', message: 'not here' } }));
        return;
      }
      n += 1;
      const next = queue.shift() ?? fallback;
      const turn = typeof next === 'function' ? next(body, req.headers) : next;
      if (turn.kind === 'hang') return;
      if (turn.kind === 'status') {
        res.writeHead(turn.status, { 'content-type': 'application/json', ...turn.headers });
        res.end(JSON.stringify(turn.body));
        return;
      }
      const model = typeof body?.model === 'string' ? body.model : 'claude-fake';
      if (body?.stream === false) {
        const content = turn.kind === 'text' ? [{ type: 'text', text: turn.text }] : [{ type: 'tool_use', id: turn.id, name: turn.name, input: turn.input }];
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ id: `msg_fake_${n}`, type: 'message', role: 'assistant', model, content, stop_reason: turn.kind === 'text' ? 'end_turn' : 'tool_use', stop_sequence: null, usage: { ...USAGE, output_tokens: 7 } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.end(streamTurn(turn, model, n));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    turns: () => requests.filter((r) => r.method === 'POST' && r.url.split('?')[0] === '/v1/messages'),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The text of the tool result in the last user message of a Messages API request body. */
export function toolResultText(body: any): string | undefined {
  const last = body?.messages?.at(-1);
  if (!Array.isArray(last?.content)) return undefined;
  const result = last.content.find((b: any) => b.type === 'tool_result');
  if (result === undefined) return undefined;
  return typeof result.content === 'string' ? result.content : result.content.map((b: any) => b.text ?? '').join('');
}
