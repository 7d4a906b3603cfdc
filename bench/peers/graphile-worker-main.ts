// The graphile-worker of the peers bench, in a process of its own: concurrency SLOTS, its default options
// otherwise (but a pool as big as its concurrency, as its start-up warning asks). Each job runs the trivial
// executor and stores its stdout in the bench's results table (graphile-worker keeps nothing of a finished
// job: where agent-runner and BullMQ store a run's result, its tasks store their own). Says "ready" over
// IPC once running; SIGTERM stops it (waiting for the jobs in flight).
import { run } from 'graphile-worker';
import { GW_TASK, resultsTable } from './graphile-worker-schema.js';
import { runTrivialExecutor, SLOTS } from './trivial-executor.js';

const schema = process.env.PEERS_GW_SCHEMA!;
const workDir = process.env.PEERS_WORK_DIR!;
const insertResult = `INSERT INTO ${resultsTable(schema)} (job_id, output) VALUES ($1, $2)`;

const runner = await run({
  connectionString: process.env.PEERS_PG_URL!,
  schema,
  concurrency: SLOTS,
  maxPoolSize: SLOTS,
  noHandleSignals: true,
  taskList: {
    [GW_TASK]: async (_payload, helpers) => {
      const output = await runTrivialExecutor(`gw${helpers.job.id}`, workDir);
      await helpers.withPgClient((client) => client.query(insertResult, [helpers.job.id, output]));
    },
  },
});
process.send!('ready');
process.once('SIGTERM', () => void runner.stop().then(() => process.exit(0)));
