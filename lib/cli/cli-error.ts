/** A failure the CLI reports as one line on stderr and an exit code, without a stack trace. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Exit code for bad flags or arguments (as with most Unix tools). */
export const EXIT_USAGE = 2;
