// Many pages following GET /v1/changes, as the console's sessions list does: every open stream gets the
// same message, and a page that reads the list's fragment again after a message sees what the message
// was about, though the reads of all pages share one render. A stream whose reader does not keep up gets
// one "read everything again" message instead of the ones it missed. Real HTTP on both stores (the
// falling-behind case in process, where a reader can stop reading without a socket's buffers in between).
import { afterEach, describe, expect, it } from 'vitest';
import pino from 'pino';
import { buildApp } from '../../coordinator/http/app.js';
import { createContext, dispatchChanges } from '../../coordinator/http/context.js';
import { resolveTimings } from '../../coordinator/constants.js';
import { openStore } from '../../coordinator/store/open-store.js';
import { startCoordinator } from '../../coordinator/start-coordinator.js';
import { MAX_SESSION_SEARCH_CHARS } from '../../protocol/sessions.js';
import { apiClient, freshDatabase, STORE_KINDS } from './helpers.js';
import { sseReader } from './sse-frames.js';
import { EMPTY_MCP_REGISTRY } from '../../coordinator/agents/mcp-registry.js';
import { RoutingTable } from '../../coordinator/routing/routing-table.js';

const FOLLOWERS = 20;

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A page-like follower: its stream, and the raw text of each message. */
async function follow(url: string) {
  const ac = new AbortController();
  cleanups.push(() => ac.abort());
  const res = await fetch(`${url}/v1/changes`, { signal: ac.signal });
  expect(res.status).toBe(200);
  const reader = sseReader(res);
  expect((await reader.next()).comment).toBe('connected');
  return reader;
}

/** Read messages until one names `id` in its sessions. */
async function untilSession(reader: Awaited<ReturnType<typeof follow>>, id: string): Promise<unknown> {
  for (;;) {
    const frame = await reader.next();
    if ((frame.data?.sessions as string[] | undefined)?.includes(id)) return frame.data;
  }
}

describe.each(STORE_KINDS)('pages following GET /v1/changes (%s)', (kind) => {
  it('each see a new session in the list fragment they read after the message naming it', { timeout: 120_000 }, async () => {
    const db = await freshDatabase(kind);
    const coordinator = await startCoordinator({ port: 0, agentsDir: null, logLevel: 'silent', ...db });
    cleanups.push(async () => (await coordinator.close(), await db.drop()));
    const api = apiClient(coordinator.url);
    const pages = await Promise.all(Array.from({ length: FOLLOWERS }, () => follow(coordinator.url)));

    for (let round = 0; round < 3; round++) {
      const created = await api('POST', '/v1/sessions', { executor: 'nobody', prompt: `round ${round} <b>bold</b>` });
      expect(created.status).toBe(201);
      const id = created.body.session_id as string;
      // Every page hears of it (the same summary), then reads the list again, all at once.
      const heard = await Promise.all(pages.map((page) => untilSession(page, id)));
      for (const message of heard) expect(message).toEqual(heard[0]);
      const reads = await Promise.all(pages.map(() => fetch(`${coordinator.url}/sessions?fragment=rows`)));
      for (const res of reads) {
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toContain('text/html');
        const text = await res.text();
        expect(text).toContain(`data-session="${id}"`);
        expect(text).toContain('round ' + round + ' &lt;b&gt;bold&lt;/b&gt;');
        expect(text).not.toContain('<b>bold');
      }
    }
  });

  it('answers hostile list fragments as the page would, field by field', async () => {
    const db = await freshDatabase(kind);
    const coordinator = await startCoordinator({ port: 0, agentsDir: null, logLevel: 'silent', ...db });
    cleanups.push(async () => (await coordinator.close(), await db.drop()));
    await follow(coordinator.url);
    const read = async (query: string) => {
      const res = await fetch(`${coordinator.url}/sessions?fragment=rows&${query}`);
      return { status: res.status, text: await res.text() };
    };
    const long = await read(`q=${'x'.repeat(MAX_SESSION_SEARCH_CHARS + 1)}`);
    expect(long.text).toMatch(/id="filter-error"[^>]*>prompt contains: /);
    const cursor = await read('cursor=%3Cscript%3Enot-a-cursor');
    expect(cursor.text).toMatch(/id="filter-error"[^>]*>cursor: /);
    expect(cursor.text).not.toContain('<script>');
    const status = await read('status=%3Cimg%20src%3Dx%3E');
    expect(status.text).toMatch(/id="filter-error"[^>]*>status: /);
    expect(status.text).not.toContain('<img');
    // Shared answers are per query: the list without filters is still the list.
    const plain = await read('q=');
    expect(plain.status).toBe(200);
    expect(plain.text).toContain('No sessions yet');
  });
});

describe('a /v1/changes reader that falls behind', () => {
  it('gets one message saying more instead of the ones it missed', async () => {
    const db = await freshDatabase('sqlite');
    const store = await openStore({ databaseUrl: db.databaseUrl });
    cleanups.push(async () => (await store.close(), await db.drop()));
    const ctx = createContext({ store, timings: resolveTimings({}), logger: pino({ level: 'silent' }), apiToken: null, maxBodyBytes: 1_000_000, defaultExecutor: 'nobody', agentsFolder: null, workflowsFolder: null, skillsFolder: null, mcpRegistry: EMPTY_MCP_REGISTRY, routing: new RoutingTable(null, pino({ level: 'silent' })) });
    await store.sql.subscribeChanges((changes) => dispatchChanges(ctx, changes));
    const app = buildApp(ctx);

    const ac = new AbortController();
    cleanups.push(() => ac.abort());
    // Not read yet: its one-message queue holds the "connected" comment.
    const slow = await app.request('/v1/changes', { signal: ac.signal });
    expect(slow.status).toBe(200);
    // Another follower, read as messages come, says when each went out.
    const sent: string[] = [];
    let heard: (() => void) | null = null;
    cleanups.push(ctx.changes.follow((chunk) => (sent.push(new TextDecoder().decode(chunk)), heard?.())));
    for (let i = 0; i < 3; i++) {
      const before = sent.filter((s) => s.startsWith('event: change')).length;
      const res = await app.request('/v1/sessions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ executor: 'nobody', prompt: `p${i}` }) });
      expect(res.status).toBe(201);
      while (sent.filter((s) => s.startsWith('event: change')).length === before) await new Promise<void>((resolve) => (heard = resolve));
    }

    const reader = sseReader(slow);
    expect((await reader.next()).comment).toBe('connected');
    expect((await reader.next()).data).toEqual({ sessions: [], trees: [], workflow_runs: [], questions: [], more: true });
    // Caught up: the next change comes as itself.
    const res = await app.request('/v1/sessions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ executor: 'nobody', prompt: 'p3' }) });
    const id = ((await res.json()) as { session_id: string }).session_id;
    for (;;) {
      const frame = await reader.next();
      if (frame.data === undefined) continue;
      expect(frame.data.more).toBe(false);
      if ((frame.data.sessions as string[]).includes(id)) break;
    }
  });
});
