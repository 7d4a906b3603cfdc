// agent-runner as a user runs it: `agent-coordinator` (SQLite file, or a schema of its own in the test
// PostgreSQL) and one `agent-runner` joined to it serving trivial-sh with SLOTS slots, both at their
// default log level; runs are sessions created over the HTTP API with one bulk create (POST /v1/sessions/batch,
// MAX_BATCH_SESSIONS a request), as graphile-worker's addJobs and BullMQ's addBulk add theirs.
// Done: the batch is over when the coordinator's run counts (GET /metrics, polled every POLL_MS: one
// count query a poll) show every run succeeded; a run's done instant is its session's `ended_at`, the
// coordinator's record of its end, read after the batch.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CoordinatorHttp } from '../../lib/client/http-client.js';
import { MAX_BATCH_SESSIONS } from '../../protocol/limits.js';
import { SessionPageSchema, SessionsStartedSchema } from '../../protocol/sessions.js';
import { NODE_ARGS, startChild, type StartedChild } from './children.js';
import type { MeteredProcess } from './cpu-meter.js';
import { pause, POLL_MS, type PeerSystem, type RunTimes } from './peer-system.js';
import { type PostgresObserver, schemaName, urlNamed } from './postgres.js';
import { SLOTS } from './trivial-executor.js';

const BIN = fileURLToPath(new URL('../../bin/', import.meta.url));
const EXECUTORS = fileURLToPath(new URL('../executors', import.meta.url));
/** Sessions per page when reading their end times (the API's largest page). */
const PAGE = 1000;

/** Where the coordinator keeps its data: a SQLite file in `workDir`, or a fresh schema of the test PostgreSQL. */
export type AgentRunnerStore = { kind: 'sqlite' } | { kind: 'postgres'; observer: PostgresObserver };

interface RunCounts {
  succeeded: number;
  /** Runs that ended other than succeeded. */
  failed: number;
  text: string;
}

export async function startAgentRunner(store: AgentRunnerStore, workDir: string): Promise<PeerSystem> {
  const schema = store.kind === 'postgres' ? schemaName('peers_ar') : undefined;
  const databaseArgs =
    schema === undefined ? ['--database-url', join(workDir, `coordinator-${Date.now()}.db`)] : ['--database-url', urlNamed(schema), '--database-schema', schema];
  const children: StartedChild[] = [];
  let http: CoordinatorHttp | undefined;
  const stop = async () => {
    http?.close();
    for (const child of children.reverse()) await child.stop();
    if (schema !== undefined && store.kind === 'postgres') await store.observer.dropSchema(schema);
  };
  try {
    const coordinator = await startChild(process.execPath, [...NODE_ARGS, join(BIN, 'agent-coordinator'), '--port', '0', ...databaseArgs], {
      cwd: workDir,
      env: process.env,
      name: 'agent-coordinator',
      ready: (output) => /"url":"http:\/\/[^"]+"/.test(output),
    });
    children.push(coordinator);
    const url = /"url":"(http:\/\/[^"]+)"/.exec(coordinator.tail())![1]!;
    const runner = await startChild(process.execPath, [...NODE_ARGS, join(BIN, 'agent-runner'), '-c', url, '-x', 'trivial-sh', '-n', String(SLOTS)], {
      cwd: workDir,
      env: { ...process.env, AGENT_RUNNER_EXECUTORS_PATH: EXECUTORS, AGENT_RUNNER_LOCAL_PORT: '1' },
      name: 'agent-runner',
      ready: (output) => output.includes('"msg":"registered with the coordinator"'),
    });
    children.push(runner);
    http = new CoordinatorHttp(url);
    return system(store, schema, http, coordinator, runner, stop);
  } catch (error) {
    await stop();
    throw error;
  }
}

function system(store: AgentRunnerStore, schema: string | undefined, http: CoordinatorHttp, coordinator: StartedChild, runner: StartedChild, stop: () => Promise<void>): PeerSystem {
  const crashed = Promise.race([coordinator.crashed, runner.crashed]);
  const metrics = async (): Promise<RunCounts> => {
    const { text } = await Promise.race([http.send({ method: 'GET', path: '/metrics' }), crashed]);
    const count = (state: string) => Number(new RegExp(`agent_coordinator_runs\\{state="${state}"\\} (\\d+)`).exec(text)?.[1] ?? 0);
    return { succeeded: count('succeeded'), failed: count('failed') + count('cancelled') + count('timed_out'), text };
  };
  return {
    name: `agent-runner (${store.kind === 'sqlite' ? 'SQLite' : 'PostgreSQL'})`,
    async processes() {
      const own: MeteredProcess[] = [
        { pid: coordinator.pid, part: 'coordinator' },
        { pid: runner.pid, part: 'runner' },
      ];
      return store.kind === 'postgres' && schema !== undefined ? [...own, ...(await store.observer.backends(schema))] : own;
    },
    async settle() {
      // Idle: the runner's long-poll is parked at the coordinator and no run is claimed or running.
      for (;;) {
        const { text } = await metrics();
        if (/agent_coordinator_polls_waiting 1\b/.test(text) && /agent_coordinator_runs\{state="running"\} 0\b/.test(text) && /agent_coordinator_runs\{state="claimed"\} 0\b/.test(text)) return;
        await pause(POLL_MS);
      }
    },
    async batch(n) {
      const before = await metrics();
      // All runs in one request (or one per MAX_BATCH_SESSIONS), as the peers add theirs with one bulk call.
      const submitted: { id: string; at: number }[] = [];
      for (let first = 0; first < n; first += MAX_BATCH_SESSIONS) {
        const at = Date.now();
        const sessions = Array.from({ length: Math.min(MAX_BATCH_SESSIONS, n - first) }, () => ({ executor: 'trivial-sh', prompt: 'hello' }));
        const created = await Promise.race([http.json({ method: 'POST', path: '/v1/sessions/batch', body: { sessions } }, SessionsStartedSchema), crashed]);
        for (const session of created.body.sessions) submitted.push({ id: session.session_id, at });
      }
      for (;;) {
        const now = await metrics();
        if (now.failed > before.failed) throw new Error(`${now.failed - before.failed} agent-runner runs did not succeed`);
        if (now.succeeded >= before.succeeded + n) break;
        await pause(POLL_MS);
      }
      return { times: () => endTimes(http, submitted) };
    },
    stop,
  };
}

/** Each submitted session's end (`ended_at`), newest pages first until every one was seen. */
async function endTimes(http: CoordinatorHttp, submitted: readonly { id: string; at: number }[]): Promise<RunTimes[]> {
  const ended = new Map<string, number>();
  let cursor: string | null = null;
  do {
    const query: string = `limit=${PAGE}${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
    const page = (await http.json({ method: 'GET', path: `/v1/sessions?${query}` }, SessionPageSchema)).body;
    for (const s of page.sessions) if (s.ended_at !== null) ended.set(s.session_id, Date.parse(s.ended_at));
    cursor = page.next_cursor;
  } while (cursor !== null && submitted.some((s) => !ended.has(s.id)));
  return submitted.map(({ id, at }) => {
    const doneAt = ended.get(id);
    if (doneAt === undefined) throw new Error(`session ${id} has no end time`);
    return { submittedAt: at, doneAt };
  });
}
