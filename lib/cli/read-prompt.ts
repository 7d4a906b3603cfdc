import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { MAX_PROMPT_CHARS } from '../../protocol/invocation.js';
import { CliError, EXIT_USAGE } from './cli-error.js';

/** Most bytes read for a prompt from a file or stdin: MAX_PROMPT_CHARS characters of at most 4 UTF-8 bytes each. */
export const MAX_PROMPT_BYTES = MAX_PROMPT_CHARS * 4;

/** The argument that means "read the prompt from stdin" (`run -`, `invoke --prompt -`). */
export const STDIN_ARGUMENT = '-';

/** Read a stream to its end as UTF-8; more than `maxBytes` stops reading and throws, naming `source`. */
async function readCapped(stream: Readable, source: string, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
      size += buffer.length;
      if (size > maxBytes) throw new CliError(`${source}: the prompt is longer than ${MAX_PROMPT_CHARS} characters`, EXIT_USAGE);
      chunks.push(buffer);
    }
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`${source}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`, EXIT_USAGE);
  } finally {
    if (stream !== process.stdin) stream.destroy();
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The text without one final newline (`\n` or `\r\n`), as `echo` and editors leave it. */
export function withoutFinalNewline(text: string): string {
  return text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
}

function checked(prompt: string, source: string): string {
  if (prompt.trim() === '') throw new CliError(`${source}: the prompt is empty`, EXIT_USAGE);
  if (prompt.length > MAX_PROMPT_CHARS) throw new CliError(`${source}: the prompt is longer than ${MAX_PROMPT_CHARS} characters`, EXIT_USAGE);
  return prompt;
}

/** The prompt from stdin, without its final newline (at most MAX_PROMPT_BYTES); a terminal is told how to end it. */
export async function readStdinPrompt(stdin: Readable & { isTTY?: boolean } = process.stdin): Promise<string> {
  if (stdin.isTTY === true) process.stderr.write('reading the prompt from stdin; end it with Ctrl-D\n');
  return withoutFinalNewline(await readCapped(stdin, 'stdin', MAX_PROMPT_BYTES));
}

/**
 * The prompt of `run`: the argument, `-` for stdin, or `--prompt-file FILE` (any readable file, a pipe
 * such as `<(…)` too); from stdin or a file without its final newline. Exactly one must be given.
 */
export async function readPrompt(argument: string | undefined, promptFile: string | undefined): Promise<string> {
  if (argument !== undefined && promptFile !== undefined) {
    throw new CliError('give the prompt once: as the argument or with --prompt-file, not both', EXIT_USAGE);
  }
  if (promptFile !== undefined) {
    if (promptFile === STDIN_ARGUMENT) return checked(await readStdinPrompt(), 'stdin');
    const source = `--prompt-file ${promptFile}`;
    return checked(withoutFinalNewline(await readCapped(createReadStream(promptFile), source, MAX_PROMPT_BYTES)), source);
  }
  if (argument === undefined) {
    throw new CliError('no prompt: give the task as the argument (agent-runner run "fix the build"), - to read it from stdin, or --prompt-file FILE', EXIT_USAGE);
  }
  return argument === STDIN_ARGUMENT ? checked(await readStdinPrompt(), 'stdin') : argument;
}
