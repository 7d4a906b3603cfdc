// BullMQ at its defaults on the bench's own redis-server: one worker process (bullmq-worker-main.ts,
// concurrency SLOTS); runs are jobs added with one `queue.addBulk` from this process.
// Done: BullMQ's own completion stream, QueueEvents 'completed' (one blocking XREAD on the events stream
// its job-finish script writes anyway); a run's done instant is the job's `finishedOn`, the worker's record
// of its end, read after the batch.
import { fileURLToPath } from 'node:url';
import { Queue, QueueEvents } from 'bullmq';
import { QUEUE_NAME } from './bullmq-queue.js';
import { startChild, type StartedChild, tsNodeArgs } from './children.js';
import type { PeerSystem, RunTimes } from './peer-system.js';
import { redisDir, startRedisServer } from './redis-server.js';

const WORKER_MAIN = fileURLToPath(new URL('./bullmq-worker-main.ts', import.meta.url));

export async function startBullmq(workDir: string): Promise<PeerSystem> {
  const children: StartedChild[] = [];
  let queue: Queue | undefined;
  let events: QueueEvents | undefined;
  const stop = async () => {
    await events?.close();
    await queue?.close();
    for (const child of children.reverse()) await child.stop();
  };
  try {
    const redis = await startRedisServer(redisDir(workDir));
    children.push(redis);
    const connection = { host: '127.0.0.1', port: redis.port };
    const worker = await startChild(process.execPath, tsNodeArgs(WORKER_MAIN), {
      cwd: workDir,
      env: { ...process.env, PEERS_REDIS_PORT: String(redis.port), PEERS_WORK_DIR: workDir },
      name: 'BullMQ worker',
      ipc: true,
      ready: (_output, message) => message === 'ready',
    });
    children.push(worker);
    queue = new Queue(QUEUE_NAME, { connection });
    events = new QueueEvents(QUEUE_NAME, { connection });
    await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
    return system(queue, events, redis, worker, stop);
  } catch (error) {
    await stop();
    throw error;
  }
}

function system(queue: Queue, events: QueueEvents, redis: StartedChild, worker: StartedChild, stop: () => Promise<void>): PeerSystem {
  const crashed = Promise.race([redis.crashed, worker.crashed]);
  /** Every job the events stream said completed (a job may complete before addBulk returned its id). */
  const completed = new Set<string>();
  /** The batch's jobs not completed yet, and what to call when there are none left or one failed. */
  let pending = new Set<string>();
  let onEnd: (error?: Error) => void = () => {};
  events.on('completed', ({ jobId }) => {
    completed.add(jobId);
    if (pending.delete(jobId) && pending.size === 0) onEnd();
  });
  let failure: Error | undefined;
  events.on('failed', ({ jobId, failedReason }) => onEnd((failure = new Error(`BullMQ job ${jobId} failed: ${failedReason}`))));
  return {
    name: 'BullMQ',
    processes: async () => [
      { pid: redis.pid, part: 'redis-server' },
      { pid: worker.pid, part: 'worker' },
    ],
    settle: async () => {},
    async batch(n) {
      const submittedAt = Date.now();
      const jobs = await Promise.race([queue.addBulk(Array.from({ length: n }, () => ({ name: 'trivial', data: { prompt: 'hello' } }))), crashed]);
      const ids = jobs.map((job) => job.id!);
      pending = new Set(ids.filter((id) => !completed.has(id)));
      if (failure !== undefined) throw failure;
      if (pending.size > 0) {
        const ended = new Promise<void>((resolve, reject) => (onEnd = (error) => (error === undefined ? resolve() : reject(error))));
        await Promise.race([ended, crashed]);
      }
      return { times: () => finishTimes(queue, ids, submittedAt) };
    },
    stop,
  };
}

async function finishTimes(queue: Queue, ids: readonly string[], submittedAt: number): Promise<RunTimes[]> {
  const jobs = await Promise.all(ids.map((id) => queue.getJob(id)));
  return jobs.map((job, i) => {
    if (job?.finishedOn === undefined) throw new Error(`BullMQ job ${ids[i]} has no finishedOn`);
    return { submittedAt, doneAt: job.finishedOn };
  });
}
