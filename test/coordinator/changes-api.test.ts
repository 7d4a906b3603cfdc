// GET /v1/changes: what the console's lists follow. On both stores: a new session, a child joining a
// tree, a question asked and answered each reach an open stream as ids; on PostgreSQL, a change made
// through one replica reaches a stream open on another (over NOTIFY). Behind the API token like all /v1.
import { afterEach, describe, expect, it } from 'vitest';
import { startCoordinator, type RunningCoordinator } from '../../coordinator/start-coordinator.js';
import { apiClient, freshDatabase, pollRun, registerRunner, STORE_KINDS } from './helpers.js';
import { sseReader } from './sse-frames.js';

interface ChangeMessage {
  sessions: string[];
  trees: string[];
  workflow_runs: string[];
  questions: string[];
  more: boolean;
}

/** Read change messages until one satisfies `check` (changes may come split over several messages). */
async function until(reader: ReturnType<typeof sseReader>, check: (seen: ChangeMessage) => boolean): Promise<ChangeMessage> {
  const seen: ChangeMessage = { sessions: [], trees: [], workflow_runs: [], questions: [], more: false };
  for (;;) {
    const frame = await reader.next();
    if (frame.data === undefined) continue;
    const m = frame.data as ChangeMessage;
    seen.sessions.push(...m.sessions);
    seen.trees.push(...m.trees);
    seen.workflow_runs.push(...m.workflow_runs);
    seen.questions.push(...m.questions);
    seen.more ||= m.more;
    if (check(seen)) return seen;
  }
}

describe.each(STORE_KINDS)('GET /v1/changes (%s)', (kind) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function start(db: Awaited<ReturnType<typeof freshDatabase>>, apiToken: string | null = null): Promise<RunningCoordinator> {
    const coordinator = await startCoordinator({ port: 0, agentsDir: null, logLevel: 'silent', apiToken, databaseUrl: db.databaseUrl, databaseSchema: db.databaseSchema });
    cleanups.push(() => coordinator.close());
    return coordinator;
  }

  async function open(url: string, token?: string) {
    const ac = new AbortController();
    const res = await fetch(`${url}/v1/changes`, { signal: ac.signal, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
    cleanups.push(async () => ac.abort());
    return { res, reader: res.status === 200 ? sseReader(res) : null };
  }

  it('sends new sessions, trees a child joined, and questions asked and answered, as ids', async () => {
    const db = await freshDatabase(kind);
    cleanups.push(db.drop);
    const c = await start(db);
    const api = apiClient(c.url);
    const { res, reader } = await open(c.url);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    expect((await reader!.next()).comment).toBe('connected');

    const parent = (await api('POST', '/v1/sessions', { prompt: 'p', executor: 'test' })).body.session_id as string;
    await until(reader!, (seen) => seen.sessions.includes(parent));
    const child = (await api('POST', '/v1/sessions', { prompt: 'c', executor: 'test', parent_session_id: parent })).body.session_id as string;
    await until(reader!, (seen) => seen.trees.includes(parent) && seen.sessions.includes(child));

    const runner = await registerRunner(api);
    const { run } = await pollRun(api, runner);
    await api('POST', `/v1/runs/${run.run_id}/started`, {}, runner.token);
    const asked = await api('POST', `/v1/sessions/${run.session_id}/questions`, { question: 'Ship it?' });
    expect(asked.status).toBe(201);
    const qid = asked.body.question.question_id as string;
    await until(reader!, (seen) => seen.questions.includes(qid));
    expect((await api('POST', `/v1/questions/${qid}/answer`, { text: 'yes' })).status).toBe(200);
    await until(reader!, (seen) => seen.questions.includes(qid) && seen.sessions.includes(run.session_id));
  });

  it('needs the API token when the coordinator has one', async () => {
    const db = await freshDatabase(kind);
    cleanups.push(db.drop);
    const c = await start(db, 'tok-123');
    expect((await open(c.url)).res.status).toBe(401);
    const { res } = await open(c.url, 'tok-123');
    expect(res.status).toBe(200);
  });

  it.runIf(kind === 'postgres')('hears what another replica changed', async () => {
    const db = await freshDatabase(kind);
    cleanups.push(db.drop);
    const a = await start(db);
    const b = await start(db);
    const { reader } = await open(b.url);
    await reader!.next();
    const api = apiClient(a.url);
    const id = (await api('POST', '/v1/sessions', { prompt: 'p', executor: 'test' })).body.session_id as string;
    await until(reader!, (seen) => seen.sessions.includes(id));
    const runner = await registerRunner(api);
    const { run } = await pollRun(api, runner);
    await api('POST', `/v1/runs/${run.run_id}/started`, {}, runner.token);
    const qid = (await api('POST', `/v1/sessions/${run.session_id}/questions`, { question: 'Elsewhere?' })).body.question.question_id as string;
    await until(reader!, (seen) => seen.questions.includes(qid));
  });
});
