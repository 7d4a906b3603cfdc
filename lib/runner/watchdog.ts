import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import { endLeftoverExecutors, ExecutorLedger } from './executor-ledger.js';

/** Heap limit of the watchdog process (MB): it only reads one small file and signals processes. */
const WATCHDOG_HEAP_MB = 16;

/**
 * Make sure no executor of this runner outlives it: first end what a dead predecessor on the same state
 * folder left running, then note our own executors in a ledger and start a watchdog that ends them when
 * this process dies (Linux). @returns the ledger to hand to spawnExecutor, or undefined without /proc.
 */
export function guardExecutors(stateDir: string, logger: Logger): ExecutorLedger | undefined {
  endLeftoverExecutors(stateDir, (path, ended) => {
    if (ended > 0) logger.warn({ ledger: path, ended }, 'ended executors an earlier runner left running');
  });
  const ledger = ExecutorLedger.open(stateDir);
  if (ledger !== undefined) startWatchdog(ledger.path, logger);
  return ledger;
}

/**
 * A detached process that waits for end-of-file on its stdin (only this process holds the pipe's write
 * end) and then ends the executors in `ledgerPath` (watchdog-main.ts). It lives in its own session, so a
 * Ctrl-C or a kill of this runner's group does not reach it, and it exits right after this process does.
 */
function startWatchdog(ledgerPath: string, logger: Logger): void {
  const script = fileURLToPath(new URL('./watchdog-main.js', import.meta.url));
  // Run from TypeScript sources (the unit tests) there is no compiled script: the restart sweep still applies.
  if (!existsSync(script)) return;
  const child = spawn(process.execPath, [`--max-old-space-size=${WATCHDOG_HEAP_MB}`, script, ledgerPath], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  child.on('error', (error) => logger.warn({ err: error.message }, 'could not start the executor watchdog'));
  child.unref();
  // The pipe must not keep this process alive either; it closes when this process exits.
  (child.stdin as Socket | null)?.unref();
  logger.debug({ pid: child.pid, ledger: ledgerPath }, 'executor watchdog started');
}
