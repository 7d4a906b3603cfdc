import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { WAIT_MS } from './fixtures.js';

/** One request a fake target received. */
export interface Received {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: any;
  /** performance.now() when it arrived. */
  at: number;
}

/** What the fake answers: a status, `hang` (accept and never answer: a blackholed target), or a full answer. */
export type Answer = number | 'hang' | { status: number; body?: string; headers?: Record<string, string> };

/**
 * A loopback HTTP server standing in for a webhook receiver, Slack, Discord or the Telegram Bot API: it
 * records every request and answers as `respond` says (200 by default). `waitFor(n)` resolves on the
 * n-th request (an event, not a sleep); `close` ends hung requests too. A Bot API `getUpdates` long-poll
 * (the coordinator asking a Telegram target for answers) is held open and not recorded: it is not a
 * delivery (test/helpers/fake-telegram.ts stands in for the Bot API's answers).
 */
export async function startReceiver(respond: (req: Received, index: number) => Answer = () => 200) {
  const received: Received[] = [];
  const waiters: Array<{ n: number; resolve: () => void }> = [];
  const sockets = new Set<Socket>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (/\/getUpdates$/.test(req.url ?? '')) return;
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown = null;
      try {
        json = JSON.parse(body);
      } catch {
        /* not JSON */
      }
      const r: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json, at: performance.now() };
      received.push(r);
      const answer = respond(r, received.length - 1);
      for (const w of waiters.filter((w) => received.length >= w.n)) (waiters.splice(waiters.indexOf(w), 1), w.resolve());
      if (answer === 'hang') return;
      const full = typeof answer === 'number' ? { status: answer } : answer;
      res.writeHead(full.status, { 'content-type': 'application/json', ...full.headers });
      res.end(full.body ?? (full.status < 300 ? '{"ok":true}' : '{"ok":false}'));
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    received,
    /** Resolve once `n` requests arrived in all. */
    waitFor(n: number, timeoutMs = WAIT_MS): Promise<void> {
      if (received.length >= n) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`the fake target got ${received.length} of ${n} requests in time`)), timeoutMs);
        waiters.push({ n, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
