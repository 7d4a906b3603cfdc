// GET /v1/sessions?executor=&q= (the console's sessions page and `sessions list --executor --search`), over
// real HTTP on both stores: the filters, paging with them, the bounded search window, malformed input.
import { afterEach, describe, expect, it } from 'vitest';
import { openPostgresClient } from '../../coordinator/store/postgres-client.js';
import { openSqliteClient } from '../../coordinator/store/sqlite-client.js';
import { containsPattern, listSessions } from '../../coordinator/store/ops/list-sessions.js';
import { startCoordinator } from '../../coordinator/start-coordinator.js';
import { apiClient, freshDatabase, STORE_KINDS } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('containsPattern', () => {
  it('takes LIKE wildcards and the escape character literally', () => {
    expect(containsPattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
    expect(containsPattern('plain')).toBe('%plain%');
  });
});

describe.each(STORE_KINDS)('listing sessions by executor and prompt text (%s)', (kind) => {
  const start = async () => {
    const db = await freshDatabase(kind);
    const coordinator = await startCoordinator({ port: 0, agentsDir: null, logLevel: 'silent', ...db });
    cleanups.push(async () => (await coordinator.close(), await db.drop()));
    const api = apiClient(coordinator.url);
    const create = async (body: Record<string, unknown>) => {
      const res = await api('POST', '/v1/sessions', { executor: 'nobody', ...body });
      expect(res.status).toBe(201);
      return (res.body as { session_id: string }).session_id;
    };
    const ids = async (query: string) => {
      const res = await api('GET', `/v1/sessions?${query}`);
      expect(res.status, query).toBe(200);
      return { ids: (res.body.sessions as Array<{ session_id: string }>).map((s) => s.session_id), next: res.body.next_cursor as string | null };
    };
    return { api, create, ids, db };
  };

  it('filters by executor and by text in the prompt (case-insensitive, wildcards literal), with the others, paged', async () => {
    const { create, ids } = await start();
    const a = await create({ executor: 'alpha', prompt: 'Review the LAST commit' });
    const b = await create({ executor: 'beta', prompt: 'review 50% of the files' });
    const c = await create({ executor: 'alpha', prompt: 'deploy it' });
    const d = await create({ executor: 'alpha', prompt: 'a_b literal underscore' });
    const e = await create({ executor: 'alpha', prompt: 'aXb no underscore' });

    expect((await ids('executor=alpha')).ids).toEqual([e, d, c, a]);
    expect((await ids('executor=beta')).ids).toEqual([b]);
    expect((await ids('executor=gamma')).ids).toEqual([]);
    expect((await ids('q=review')).ids).toEqual([b, a]);
    expect((await ids('q=LAST%20COMMIT')).ids).toEqual([a]);
    expect((await ids('q=50%25')).ids).toEqual([b]);
    expect((await ids('q=%25')).ids).toEqual([b]);
    expect((await ids('q=a_b')).ids).toEqual([d]);
    expect((await ids('q=review&executor=alpha')).ids).toEqual([a]);
    expect((await ids('q=review&status=queued')).ids).toEqual([b, a]);
    expect((await ids('q=review&status=idle')).ids).toEqual([]);
    // Hostile text is data: quotes and SQL are searched for, not run.
    expect((await ids(`q=${encodeURIComponent("' OR 1=1 --")}`)).ids).toEqual([]);

    // Paging with a filter: the cursor keeps it.
    const first = await ids('executor=alpha&limit=3');
    expect(first.ids).toEqual([e, d, c]);
    expect(first.next).not.toBeNull();
    const second = await ids(`executor=alpha&limit=3&cursor=${first.next}`);
    expect(second).toEqual({ ids: [a], next: null });
    const searched = await ids('q=E&limit=2');
    expect(searched.ids).toEqual([e, d]);
    const more = await ids(`q=E&limit=2&cursor=${searched.next}`);
    expect(more.ids).toEqual([c, b]);
    expect(await ids(`q=E&limit=2&cursor=${more.next}`)).toEqual({ ids: [a], next: null });
  });

  it('bounds a search to a window of sessions, and continues below it', async () => {
    const { create, db } = await start();
    const made: string[] = [];
    for (let i = 0; i < 12; i++) made.push(await create({ prompt: i % 4 === 0 ? `needle ${i}` : `hay ${i}` }));
    const sql = kind === 'sqlite' ? openSqliteClient(db.databaseUrl) : await openPostgresClient({ url: db.databaseUrl, schema: db.databaseSchema });
    cleanups.push(() => sql.close());
    // Sessions 1..12; needles at 1, 5, 9 (i = 0, 4, 8). A window of 5 positions: 8..12 holds needle 9 only.
    const first = await listSessions(sql, { prompt_contains: 'NEEDLE' }, { limit: 10, before: null }, 5);
    expect(first.sessions.map((s) => s.id)).toEqual([made[8]]);
    expect(first.next).toBe(8);
    const second = await listSessions(sql, { prompt_contains: 'needle' }, { limit: 10, before: first.next }, 5);
    expect(second.sessions.map((s) => s.id)).toEqual([made[4]]);
    expect(second.next).toBe(3);
    const third = await listSessions(sql, { prompt_contains: 'needle' }, { limit: 10, before: second.next }, 5);
    expect(third).toMatchObject({ next: null });
    expect(third.sessions.map((s) => s.id)).toEqual([made[0]]);
    // A window with nothing in it still says where to go on; a full page ends at its last row.
    expect(await listSessions(sql, { prompt_contains: 'needle' }, { limit: 10, before: 9 }, 3)).toMatchObject({ sessions: [], next: 6 });
    expect((await listSessions(sql, { prompt_contains: 'needle' }, { limit: 1, before: null }, 100)).next).toBe(9);
  });

  it('refuses malformed and hostile filters, naming the field', async () => {
    const { api } = await start();
    const cases: Array<[string, string]> = [
      [`q=${'x'.repeat(201)}`, 'q'],
      ['q=', 'q'],
      ['q=a%00b', 'q'],
      ['executor=', 'executor'],
      ['search=x', 'search'],
      ['exec=alpha', 'exec'],
    ];
    for (const [query, field] of cases) {
      const res = await api('GET', `/v1/sessions?${query}`);
      expect(res.status, query).toBe(400);
      expect(res.body.error.code, query).toBe('invalid_request');
      expect(JSON.stringify(res.body.error), query).toContain(field);
    }
    const long = await api('GET', `/v1/sessions?q=${'x'.repeat(201)}`);
    expect(long.body.error.details.issues[0]).toMatchObject({ path: 'q', message: 'q is longer than 200 characters' });
    expect((await api('GET', `/v1/sessions?q=${'x'.repeat(200)}`)).status).toBe(200);
    expect((await api('GET', `/v1/sessions?q=${encodeURIComponent('<script>alert(1)</script>')}`)).body).toEqual({ sessions: [], next_cursor: null });
  });
});
