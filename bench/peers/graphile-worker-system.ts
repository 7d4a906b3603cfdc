// graphile-worker on the test PostgreSQL, in a schema of its own: one worker process
// (graphile-worker-main.ts, concurrency SLOTS); runs are jobs added with one `addJobs` call from this process.
// Done: graphile-worker has no completion notification, so the batch is over when the results table holds
// every job's result and no job row is left (one two-count query every POLL_MS, on a connection that counts
// as graphile-worker's); a run's done instant is its result row's `done_at`, read after the batch.
import { fileURLToPath } from 'node:url';
import { makeWorkerUtils, type WorkerUtils } from 'graphile-worker';
import { startChild, type StartedChild, tsNodeArgs } from './children.js';
import { createResultsTable, GW_TASK, resultsTable } from './graphile-worker-schema.js';
import { pause, POLL_MS, type PeerSystem, type RunTimes } from './peer-system.js';
import { type PostgresObserver, schemaName, urlNamed } from './postgres.js';

const WORKER_MAIN = fileURLToPath(new URL('./graphile-worker-main.ts', import.meta.url));

export async function startGraphileWorker(observer: PostgresObserver, workDir: string): Promise<PeerSystem> {
  const schema = schemaName('peers_gw');
  const url = urlNamed(schema);
  let utils: WorkerUtils | undefined;
  let worker: StartedChild | undefined;
  const stop = async () => {
    await worker?.stop();
    await utils?.release();
    await observer.dropSchema(schema);
  };
  try {
    utils = await makeWorkerUtils({ connectionString: url, schema });
    await utils.migrate();
    await utils.withPgClient((client) => client.query(createResultsTable(schema)));
    worker = await startChild(process.execPath, tsNodeArgs(WORKER_MAIN), {
      cwd: workDir,
      env: { ...process.env, PEERS_PG_URL: url, PEERS_GW_SCHEMA: schema, PEERS_WORK_DIR: workDir },
      name: 'graphile-worker',
      ipc: true,
      ready: (_output, message) => message === 'ready',
    });
    return system(observer, schema, utils, worker, stop);
  } catch (error) {
    await stop();
    throw error;
  }
}

function system(observer: PostgresObserver, schema: string, utils: WorkerUtils, worker: StartedChild, stop: () => Promise<void>): PeerSystem {
  const progress = `SELECT (SELECT count(*) FROM ${resultsTable(schema)} WHERE job_id BETWEEN $1 AND $2)::int AS done,
      (SELECT count(*) FROM "${schema}"._private_jobs WHERE id BETWEEN $1 AND $2)::int AS left,
      (SELECT count(*) FROM "${schema}"._private_jobs WHERE id BETWEEN $1 AND $2 AND last_error IS NOT NULL)::int AS failed`;
  return {
    name: 'graphile-worker',
    processes: async () => [{ pid: worker.pid, part: 'worker' }, ...(await observer.backends(schema))],
    settle: async () => {},
    async batch(n) {
      const submittedAt = Date.now();
      const jobs = await Promise.race([utils.addJobs(Array.from({ length: n }, () => ({ identifier: GW_TASK, payload: { prompt: 'hello' } }))), worker.crashed]);
      const ids = jobs.map((job) => BigInt(job.id));
      const first = ids.reduce((a, b) => (a < b ? a : b)).toString();
      const last = ids.reduce((a, b) => (a > b ? a : b)).toString();
      for (;;) {
        const { rows: [row] } = await Promise.race([utils.withPgClient((client) => client.query<{ done: number; left: number; failed: number }>(progress, [first, last])), worker.crashed]);
        if (row!.failed > 0) throw new Error(`${row!.failed} graphile-worker jobs failed`);
        if (row!.done === n && row!.left === 0) break;
        await pause(POLL_MS);
      }
      return { times: () => doneTimes(utils, schema, first, last, submittedAt) };
    },
    stop,
  };
}

async function doneTimes(utils: WorkerUtils, schema: string, first: string, last: string, submittedAt: number): Promise<RunTimes[]> {
  const { rows } = await utils.withPgClient((client) =>
    client.query<{ done_ms: number }>(`SELECT (extract(epoch FROM done_at) * 1000)::float8 AS done_ms FROM ${resultsTable(schema)} WHERE job_id BETWEEN $1 AND $2`, [first, last]),
  );
  return rows.map((row) => ({ submittedAt, doneAt: row.done_ms }));
}
