import type { Command } from 'commander';

/** The options every client command of a command group takes (`agents`, `skills`, `workflow`). */
export function clientOptions(cmd: Command): Command {
  return cmd
    .option('-c, --coordinator-url <url>', 'the coordinator (default: one on 127.0.0.1:8765, else in-process)')
    .option('--json', 'JSON output')
    .option('-v, --verbose', 'debug logs');
}
