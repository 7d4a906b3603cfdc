import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { WAIT_MS } from '../helpers/fixtures.js';
import { startCoordinator, type CoordinatorOptions, type RunningCoordinator } from '../../coordinator/start-coordinator.js';
import { openStore } from '../../coordinator/store/open-store.js';
import type { Store } from '../../coordinator/store/store.js';

export const PG_URL = process.env.AGENT_COORDINATOR_TEST_PG ?? 'postgres://postgres@127.0.0.1:5432/test';
export type StoreKind = 'sqlite' | 'postgres';
export const STORE_KINDS: StoreKind[] = ['sqlite', 'postgres'];

/** A fresh place to keep data: a temp SQLite file, or a random PostgreSQL schema; `drop` removes it. */
export async function freshDatabase(kind: StoreKind): Promise<{ databaseUrl: string; databaseSchema?: string; drop: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'coord-test-'));
    return { databaseUrl: join(dir, 'coordinator.db'), drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const schema = `t_${randomBytes(6).toString('hex')}`;
  return {
    databaseUrl: PG_URL,
    databaseSchema: schema,
    drop: async () => {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

/** A store on a fresh database (freshDatabase); `close` closes it and drops the data. */
export async function openFreshStore(kind: StoreKind): Promise<{ store: Store; close: () => Promise<void> }> {
  const db = await freshDatabase(kind);
  let store: Store;
  try {
    store = await openStore({ databaseUrl: db.databaseUrl, schema: db.databaseSchema });
  } catch (error) {
    await db.drop();
    throw error;
  }
  return { store, close: async () => (await store.close(), await db.drop()) };
}

/** Start an in-process coordinator on a fresh database; `stop` closes it and drops the data. */
export async function startTestCoordinator(kind: StoreKind, options: CoordinatorOptions = {}) {
  const db = await freshDatabase(kind);
  let coordinator: RunningCoordinator;
  try {
    coordinator = await startCoordinator({ port: 0, agentsDir: null, logLevel: 'silent', ...db, ...options });
  } catch (error) {
    await db.drop();
    throw error;
  }
  const api = apiClient(coordinator.url);
  return { coordinator, url: coordinator.url, api, stop: async () => (await coordinator.close(), await db.drop()) };
}

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

/** A tiny JSON client over fetch. */
export function apiClient(base: string, defaultToken?: string) {
  return async function api<T = any>(method: string, path: string, body?: unknown, token = defaultToken): Promise<ApiResponse<T>> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body) });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? null : JSON.parse(text);
    } catch {
      /* not JSON: keep text */
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  };
}

export type Api = ReturnType<typeof apiClient>;

/** Register a runner; returns its id and token. */
export async function registerRunner(api: Api, executors: string[] = ['test'], tags: string[] = []) {
  const res = await api('POST', '/v1/runners', { executors, tags, name: 'test-runner' });
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { runner_id: string; token: string; lease_ms: number; heartbeat_interval_ms: number; poll_timeout_ms: number; poll_keeps_lease?: boolean };
}

/** Long-poll once for a run. */
export async function pollRun(api: Api, runner: { runner_id: string; token: string }, timeoutMs = 0) {
  const res = await api('POST', `/v1/runners/${runner.runner_id}/next-run`, { timeout_ms: timeoutMs }, runner.token);
  if (res.status !== 200) throw new Error(`poll failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { run: any; session: any; invocation: any; stop: string[] };
}

/** Resolve when `check` returns a truthy value, polling it after each `tick` (a real event, not a sleep of fixed length). */
export async function eventually<T>(check: () => Promise<T | undefined | null | false>, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
