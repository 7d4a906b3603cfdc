// Where sessions sit in their tree (coordinator/store/migrations/007-session-tree.ts, ops/create-session.ts):
// new sessions are placed and counted in their ancestors, and a database made before the tree existed is
// backfilled, on both stores.
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS, migrate } from '../../coordinator/store/migrations.js';
import { openPostgresClient } from '../../coordinator/store/postgres-client.js';
import { openSqliteClient } from '../../coordinator/store/sqlite-client.js';
import type { SqlClient } from '../../coordinator/store/sql-client.js';
import { createStore } from '../../coordinator/store/store.js';
import { freshDatabase, openFreshStore, STORE_KINDS, type StoreKind } from './helpers.js';

const base = { agent: null, executor: 'test', tags: [], project_dir: null, priority: 0, timeout_s: null, prompt: 'hi', max_attempts: 2 };
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function openClient(kind: StoreKind): Promise<SqlClient> {
  const db = await freshDatabase(kind);
  const sql = kind === 'postgres' ? await openPostgresClient({ url: db.databaseUrl, schema: db.databaseSchema }) : openSqliteClient(db.databaseUrl);
  cleanups.push(async () => (await sql.close(), await db.drop()));
  return sql;
}

describe.each(STORE_KINDS)('the session tree in the store (%s)', (kind) => {
  it('places a child under its parent and counts it in every ancestor', async () => {
    const { store, close } = await openFreshStore(kind);
    cleanups.push(close);
    const now = Date.now();
    const root = (await store.createSession({ ...base, parent_session_id: null }, now)).session;
    expect(root).toMatchObject({ root_session_id: root.id, depth: 0, ancestors: [], children: 0, descendants: 0 });
    const child = (await store.createSession({ ...base, parent_session_id: root.id }, now)).session;
    const sibling = (await store.createSession({ ...base, parent_session_id: root.id }, now)).session;
    const grandchild = (await store.createSession({ ...base, parent_session_id: child.id }, now)).session;
    expect(child).toMatchObject({ root_session_id: root.id, depth: 1, ancestors: [root.id] });
    expect(sibling).toMatchObject({ depth: 1, ancestors: [root.id] });
    expect(grandchild).toMatchObject({ root_session_id: root.id, depth: 2, ancestors: [root.id, child.id] });
    expect(await store.getSession(root.id)).toMatchObject({ children: 2, descendants: 3 });
    expect(await store.getSession(child.id)).toMatchObject({ children: 1, descendants: 1 });
    expect(await store.getSession(grandchild.id)).toMatchObject({ children: 0, descendants: 0 });
    expect(root.totals).toEqual({ input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0, cost_usd: 0 });
  });

  it('counts children created concurrently under one parent exactly', async () => {
    const { store, close } = await openFreshStore(kind);
    cleanups.push(close);
    const root = (await store.createSession({ ...base, parent_session_id: null }, Date.now())).session;
    const kids = await Promise.all(Array.from({ length: 4 }, () => store.createSession({ ...base, parent_session_id: root.id }, Date.now())));
    await Promise.all(kids.map((k) => store.createSession({ ...base, parent_session_id: k.session.id }, Date.now())));
    expect(await store.getSession(root.id)).toMatchObject({ children: 4, descendants: 8 });
  });

  it('refuses a parent that does not exist', async () => {
    const { store, close } = await openFreshStore(kind);
    cleanups.push(close);
    await expect(store.createSession({ ...base, parent_session_id: 'ses_nope' }, Date.now())).rejects.toMatchObject({ name: 'NotFoundError' });
  });

  it('backfills a database made before the tree: roots, depths, ancestors, counts and own usage', async () => {
    const sql = await openClient(kind);
    await migrate(sql, MIGRATIONS.filter((m) => m.version < 7));
    const insert = (id: string, parent: string | null, usage: object | null) =>
      sql.query(
        `INSERT INTO sessions (id, tags, parent_session_id, priority, prompt, status, usage, last_run_id, created_at, updated_at)
         VALUES (?, '[]', ?, 0, 'p', 'idle', ?, 'run_x', 1, 1)`,
        [id, parent, usage === null ? null : JSON.stringify(usage)],
      );
    await insert('ses_a', null, { input_tokens: 10, output_tokens: 5, cost_usd: 0.5 });
    await insert('ses_b', 'ses_a', { input_tokens: 1, cost_usd: 0.25 });
    await insert('ses_c', 'ses_b', null);
    await insert('ses_d', 'ses_a', { output_tokens: 2 });
    await insert('ses_orphan', 'ses_deleted', null);
    await insert('ses_e', 'ses_orphan', { cost_usd: 1 });
    expect(await migrate(sql)).toEqual(MIGRATIONS.filter((m) => m.version >= 7).map((m) => m.version));
    const store = createStore(sql);
    expect(await store.getSession('ses_a')).toMatchObject({
      root_session_id: 'ses_a', depth: 0, ancestors: [], children: 2, descendants: 3,
      totals: { input_tokens: 10, output_tokens: 5, cost_usd: 0.5 },
      tree_totals: { input_tokens: 11, output_tokens: 7, cache_read_input_tokens: 0, cost_usd: 0.75 },
    });
    expect(await store.getSession('ses_c')).toMatchObject({ root_session_id: 'ses_a', depth: 2, ancestors: ['ses_a', 'ses_b'], descendants: 0 });
    expect(await store.getSession('ses_b')).toMatchObject({ children: 1, descendants: 1, tree_totals: { input_tokens: 1, cost_usd: 0.25 } });
    expect(await store.getSession('ses_orphan')).toMatchObject({ root_session_id: 'ses_orphan', depth: 0, descendants: 1, tree_totals: { cost_usd: 1 } });
    expect(await store.getSession('ses_e')).toMatchObject({ root_session_id: 'ses_orphan', depth: 1, ancestors: ['ses_orphan'] });
  });
});
