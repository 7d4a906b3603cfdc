// PUT /v1/agents/:name with If-Match (replace only the version read) and If-None-Match: * (create only):
// what the console's agent form sends so that two people editing one agent do not overwrite each other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Api, startTestCoordinator } from './helpers.js';

describe('agent PUT preconditions', () => {
  let t: Awaited<ReturnType<typeof startTestCoordinator>>;
  let api: Api;
  const put = async (name: string, body: unknown, headers: Record<string, string>) => {
    const res = await fetch(`${t.url}/v1/agents/${name}`, { method: 'PUT', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any, etag: res.headers.get('etag') };
  };
  beforeAll(async () => {
    t = await startTestCoordinator('sqlite');
    api = t.api;
  });
  afterAll(() => t?.stop());

  it('If-None-Match: * creates once, then refuses with 412', async () => {
    const created = await put('alpha', { executor: 'shell' }, { 'if-none-match': '*' });
    expect(created.status).toBe(201);
    const again = await put('alpha', { executor: 'shell', description: 'other' }, { 'if-none-match': '*' });
    expect(again.status).toBe(412);
    expect(again.body.error.message).toBe('If-None-Match: agent "alpha" exists already');
    expect((await api('GET', '/v1/agents/alpha')).body).toEqual({ name: 'alpha', executor: 'shell' });
  });

  it('If-Match replaces only the version read: a stale ETag is a 412 naming the current one', async () => {
    const read = await api('GET', '/v1/agents/alpha');
    const etag = read.headers.get('etag')!;
    const first = await put('alpha', { executor: 'shell', description: 'one' }, { 'if-match': etag });
    expect(first.status).toBe(200);
    const stale = await put('alpha', { executor: 'shell', description: 'two' }, { 'if-match': etag });
    expect(stale.status).toBe(412);
    expect(stale.body.error.message).toBe(`If-Match: agent "alpha" was changed since you read it (it is ${first.etag} now)`);
    expect((await api('GET', '/v1/agents/alpha')).body.description).toBe('one');
    const gone = await put('nobody', { executor: 'shell' }, { 'if-match': etag });
    expect(gone.status).toBe(412);
    expect(gone.body.error.message).toBe('If-Match: agent "nobody" does not exist (any more)');
    // Without the headers a PUT replaces, as before.
    expect((await put('alpha', { executor: 'shell' }, {})).status).toBe(200);
  });
});
