import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WAIT_MS } from './fixtures.js';

/** A Bot API method call the fake received. */
export interface TelegramCall {
  method: string;
  token: string;
  body: any;
}

/**
 * A loopback stand-in for the Telegram Bot API: records `sendMessage` and `answerCallbackQuery`, and answers
 * `getUpdates` as Telegram does, holding the request until an update is pushed or the asked `timeout`
 * passes, and dropping the updates below the asked `offset` (confirmed). `waitFor` resolves on a call
 * matching a predicate (an event, not a sleep).
 */
export async function startFakeTelegram() {
  const calls: TelegramCall[] = [];
  const updates: any[] = [];
  let nextUpdateId = 1;
  let heldPolls: Array<() => void> = [];
  const waiters: Array<{ match: (c: TelegramCall) => boolean; resolve: (c: TelegramCall) => void }> = [];
  const sockets = new Set<Socket>();
  const record = (call: TelegramCall) => {
    calls.push(call);
    for (const w of waiters.filter((w) => w.match(call))) (waiters.splice(waiters.indexOf(w), 1), w.resolve(call));
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const match = /^\/bot([^/]+)\/(\w+)$/.exec(req.url ?? '');
      let body: any = {};
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
      } catch {
        /* not JSON */
      }
      const reply = (result: unknown) => (res.writeHead(200, { 'content-type': 'application/json' }), res.end(JSON.stringify({ ok: true, result })));
      if (match === null) return void (res.writeHead(404), res.end('{"ok":false,"description":"Not Found"}'));
      const call = { method: match[2]!, token: decodeURIComponent(match[1]!), body };
      if (call.method !== 'getUpdates') {
        record(call);
        return reply(call.method === 'sendMessage' ? { message_id: calls.length, chat: { id: body.chat_id }, text: body.text } : true);
      }
      // Updates below the offset are confirmed: Telegram forgets them.
      const offset = Number(body.offset ?? 0);
      while (updates.length > 0 && updates[0].update_id < offset) updates.shift();
      record(call);
      const answer = () => {
        clearTimeout(timer);
        heldPolls = heldPolls.filter((p) => p !== answer);
        reply([...updates]);
      };
      const timer = setTimeout(answer, Math.max(0, Number(body.timeout ?? 0)) * 1000);
      if (updates.length > 0) return answer();
      heldPolls.push(answer);
    });
  });
  server.on('connection', (s: Socket) => (sockets.add(s), s.on('close', () => sockets.delete(s))));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    /** Queue an update (its update_id is given) and hand it to a waiting getUpdates. @returns its update_id. */
    push(update: Record<string, unknown>): number {
      const id = nextUpdateId++;
      updates.push({ update_id: id, ...update });
      for (const poll of [...heldPolls]) poll();
      return id;
    },
    /** Resolve with the first call (already made or to come) that `match` accepts. */
    waitFor(match: (c: TelegramCall) => boolean, timeoutMs = WAIT_MS): Promise<TelegramCall> {
      const seen = calls.find(match);
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('the fake Telegram did not get the call in time')), timeoutMs);
        waiters.push({ match, resolve: (c) => (clearTimeout(timer), resolve(c)) });
      });
    },
    async close() {
      for (const poll of [...heldPolls]) poll();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
