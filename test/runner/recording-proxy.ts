import { Agent, createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request that went through the proxy, and how it was answered. */
export interface ProxiedRequest {
  method: string;
  /** Path and query, as the client sent them. */
  path: string;
  ifNoneMatch: string | undefined;
  /** The answer's status; undefined while none came (a parked long-poll). */
  status: number | undefined;
  /** Whether the proxy answered itself instead of forwarding (see `failNext`). */
  injected: boolean;
}

export interface RecordingProxy {
  url: string;
  /** Every request so far, in the order they arrived. */
  requests: ProxiedRequest[];
  /** Answer the next request that matches with `status`, `body` (JSON) and `headers` instead of forwarding it. */
  failNext: (match: (req: { method: string; path: string }) => boolean, status: number, body: unknown, headers?: Record<string, string>) => void;
  /**
   * Forward the next request that matches and whose whole answer body passes `answered`, then cut the
   * client's connection instead of passing that answer on (a proxy reset after the server acted).
   */
  dropNextAnswer: (match: (req: { method: string; path: string }) => boolean, answered: (body: string) => boolean) => Promise<void>;
  /**
   * Forward the next request that matches and whose whole answer body passes `answered`, and hold that
   * answer back (the server acted, its answer is on its way) until `release` is called; `held` resolves
   * once such an answer is being held.
   */
  holdNextAnswer: (match: (req: { method: string; path: string }) => boolean, answered: (body: string) => boolean) => { held: Promise<void>; release: () => void };
  close: () => Promise<void>;
}

/** Hop-by-hop headers: each side of the proxy manages its own connection. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'upgrade', 'te', 'trailer']);

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

/**
 * A recording HTTP proxy on 127.0.0.1 in front of `target`: forwards every request and streams every
 * answer through as it comes (long-polls, SSE), recording method, path, If-None-Match and status. A
 * client that goes away mid-request aborts the forwarded request too, as a direct connection would.
 */
export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const agent = new Agent({ keepAlive: true });
  const requests: ProxiedRequest[] = [];
  /** Answers to cut (`dropNextAnswer`) or to hold back until released (`holdNextAnswer`). */
  const drops: Array<{ match: (req: { method: string; path: string }) => boolean; answered: (body: string) => boolean; dropped: () => void; hold?: Promise<void> }> = [];
  const failures: Array<{ match: (req: { method: string; path: string }) => boolean; status: number; body: unknown; headers: Record<string, string> }> = [];

  const server = createServer((req, res) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const header = req.headers['if-none-match'];
    const record: ProxiedRequest = { method, path, ifNoneMatch: Array.isArray(header) ? header.join(', ') : header, status: undefined, injected: false };
    requests.push(record);

    const failure = failures.findIndex((f) => f.match({ method, path }));
    if (failure !== -1) {
      const [{ status, body, headers }] = failures.splice(failure, 1) as [(typeof failures)[number]];
      record.status = status;
      record.injected = true;
      req.resume();
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
      return;
    }

    const forwarded = request(
      { host: upstream.hostname, port: upstream.port, method, path, agent, headers: { ...endToEnd(req.headers), host: upstream.host } },
      (answer) => {
        const drop = drops.find((d) => d.match({ method, path }));
        if (drop !== undefined) {
          // Read the whole answer first: only one that passes `answered` is dropped, the others go on.
          let body = '';
          answer.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
          answer.on('end', () => {
            record.status = answer.statusCode;
            if (drop.answered(body)) {
              drops.splice(drops.indexOf(drop), 1);
              drop.dropped();
              if (drop.hold === undefined) res.destroy();
              else void drop.hold.then(() => res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers)).end(body));
              return;
            }
            res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers)).end(body);
          });
          return;
        }
        record.status = answer.statusCode;
        res.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
        // Each chunk goes on at once: a long-poll's or an SSE stream's body is not buffered here.
        answer.pipe(res);
        answer.on('error', () => res.destroy());
      },
    );
    forwarded.on('error', () => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' }).end('{"error":{"code":"bad_gateway","message":"proxy: upstream failed"}}');
      else res.destroy();
    });
    req.pipe(forwarded);
    // The client went away before the whole answer was sent: abandon the upstream request as well.
    res.on('close', () => {
      if (!res.writableFinished) forwarded.destroy();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext: (match, status, body, headers = {}) => void failures.push({ match, status, body, headers }),
    dropNextAnswer: (match, answered) => new Promise((dropped) => drops.push({ match, answered, dropped })),
    holdNextAnswer: (match, answered) => {
      let release = () => {};
      const hold = new Promise<void>((resolve) => (release = resolve));
      const held = new Promise<void>((dropped) => drops.push({ match, answered, dropped, hold }));
      return { held, release };
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      agent.destroy();
      await closed;
    },
  };
}
