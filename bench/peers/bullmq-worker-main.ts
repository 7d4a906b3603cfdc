// The BullMQ worker of the peers bench, in a process of its own: concurrency SLOTS, each job runs the
// trivial executor and returns its stdout (BullMQ stores it as the job's return value). Says "ready" over
// IPC once connected; SIGTERM closes it (waiting for the jobs in flight).
import { Worker } from 'bullmq';
import { QUEUE_NAME } from './bullmq-queue.js';
import { runTrivialExecutor, SLOTS } from './trivial-executor.js';

const port = Number(process.env.PEERS_REDIS_PORT);
const workDir = process.env.PEERS_WORK_DIR!;

const worker = new Worker(QUEUE_NAME, async (job) => runTrivialExecutor(`bullmq${job.id}`, workDir), {
  connection: { host: '127.0.0.1', port },
  concurrency: SLOTS,
});
worker.on('error', (error) => console.error(`worker error: ${error.message}`));
await worker.waitUntilReady();
process.send!('ready');
process.once('SIGTERM', () => void worker.close().then(() => process.exit(0)));
