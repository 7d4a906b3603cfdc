import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthSchema } from '../../protocol/health.js';
import { CoordinatorHttp } from './http-client.js';

describe('CoordinatorHttp: http:// and https:// coordinators', () => {
  let server: Server | undefined;
  afterEach(async () => {
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  /** A plain HTTP server answering /healthz like a coordinator; its port. */
  async function plainServer(): Promise<number> {
    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok","store":"sqlite"}'));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  it('speaks plain HTTP to an http:// URL', async () => {
    const http = new CoordinatorHttp(`http://127.0.0.1:${await plainServer()}`);
    try {
      expect((await http.json({ method: 'GET', path: '/healthz' }, HealthSchema)).body).toEqual({ status: 'ok', store: 'sqlite' });
    } finally {
      http.close();
    }
  });

  it('speaks TLS to an https:// URL (node:https is loaded on use): a plain server fails the handshake', async () => {
    const http = new CoordinatorHttp(`https://127.0.0.1:${await plainServer()}`);
    try {
      await expect(http.json({ method: 'GET', path: '/healthz' }, HealthSchema)).rejects.toMatchObject({ status: 0, code: 'unreachable', message: expect.stringMatching(/did not answer GET \/healthz \((EPROTO|ECONNRESET)/) });
    } finally {
      http.close();
    }
  });
});
