import { endRecordedExecutors } from './executor-ledger.js';

/**
 * The watchdog process (watchdog.ts): it holds the read end of a pipe whose write end only the runner
 * holds, so end-of-file means the runner is gone, however it ended (kill -9 included). Then it ends the
 * executors the runner's ledger names, and exits: it never outlives its runner by more than that.
 */
const ledgerPath = process.argv[2];
let done = false;
const endAndExit = () => {
  if (done) return;
  done = true;
  if (ledgerPath !== undefined) endRecordedExecutors(ledgerPath);
  process.exit(0);
};
process.stdin.on('end', endAndExit);
process.stdin.on('close', endAndExit);
process.stdin.on('error', endAndExit);
process.stdin.resume();
