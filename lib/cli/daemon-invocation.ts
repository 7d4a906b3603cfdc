/**
 * Telling, before the command line is parsed, whether `agent-runner` was started as the runner daemon (the
 * root command: options only) rather than as one of its commands. bin/agent-runner asks it so that only
 * the daemon pays for what a long-lived process needs set before its modules load (malloc-arenas.ts).
 * A wrong answer costs little either way: a command that takes the daemon's set-up loads the native addon
 * (~3 ms), a daemon that misses it keeps glibc's default arenas.
 */

/** Every command of `agent-runner` (buildProgram's, checked by its test) and commander's implicit `help`. */
export const COMMAND_NAMES: readonly string[] = [
  'run', 'sessions', 'say', 'runners', 'notifications', 'credentials', 'status', 'inbox', 'answer', 'completion', '__complete', 'invoke', 'executor', 'agents', 'skills',
  'workflow', 'help',
];

/** Flags of the root command that print something and exit instead of starting the daemon. */
const PRINT_AND_EXIT: readonly string[] = ['-h', '--help', '-V', '--version', '-l', '--executor-list'];

/**
 * Whether `args` (the command line after the script) start the daemon: no argument names a command or
 * a flag that prints and exits. An option's value that happens to be a command's name (`-x run`) reads as
 * a command: the daemon then starts without the set-up, which changes only its memory.
 */
export function startsDaemon(args: readonly string[]): boolean {
  return !args.some((arg) => COMMAND_NAMES.includes(arg) || PRINT_AND_EXIT.includes(arg));
}
