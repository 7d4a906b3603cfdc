// A redis-server of the bench's own (Debian's package): a free port on 127.0.0.1, no persistence (no RDB
// snapshots, no AOF), its working folder under the bench's, ended by `stop`.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../test/helpers/fixtures.js';
import { startChild, type StartedChild } from './children.js';

export const REDIS_SERVER = 'redis-server';

/** Whether redis-server is installed (on the PATH). */
export function redisServerInstalled(): boolean {
  return spawnSync(REDIS_SERVER, ['--version'], { stdio: 'ignore' }).error === undefined;
}


/** Start redis-server in `dir` and resolve once it accepts connections. */
export async function startRedisServer(dir: string): Promise<StartedChild & { port: number }> {
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', '', '--daemonize', 'no'];
  const child = await startChild(REDIS_SERVER, args, {
    cwd: dir,
    env: process.env,
    name: `redis-server on port ${port}`,
    ready: (output) => output.includes('Ready to accept connections'),
  });
  return Object.assign(child, { port });
}

/** The folder for redis-server under the bench's work folder. */
export const redisDir = (workDir: string) => join(workDir, 'redis');
