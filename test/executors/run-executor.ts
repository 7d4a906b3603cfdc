import { spawn, type ChildProcess } from 'node:child_process';

/** One started executor: its events as they come, its stderr, and its end. */
export interface StartedExecutor {
  child: ChildProcess;
  events: Array<Record<string, unknown>>;
  stderr: () => string;
  /** Resolves once an event matches (or rejects when the executor ends first). */
  waitForEvent: (match: (event: Record<string, unknown>) => boolean) => Promise<Record<string, unknown>>;
  ended: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Start an executor file as the runner does (its own process group, the invocation on stdin, then stdin
 * closed) and read its stdout as JSON lines. `stdinText` replaces the invocation (malformed input tests).
 */
export function startExecutor(
  file: string,
  invocation: unknown,
  options: { env?: NodeJS.ProcessEnv; cwd?: string; stdinText?: string } = {},
): StartedExecutor {
  const child = spawn(file, [], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'], detached: true });
  const events: Array<Record<string, unknown>> = [];
  const waiters: Array<{ match: (e: Record<string, unknown>) => boolean; resolve: (e: Record<string, unknown>) => void }> = [];
  let stderr = '';
  let rest = '';
  child.stdout!.setEncoding('utf8').on('data', (text: string) => {
    const lines = (rest + text).split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      const event = JSON.parse(line) as Record<string, unknown>;
      events.push(event);
      for (const waiter of waiters.filter((w) => w.match(event))) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const ended = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
  child.stdin!.on('error', () => {}); // an executor that rejects early may close stdin first
  child.stdin!.end(options.stdinText ?? JSON.stringify(invocation));
  return {
    child,
    events,
    stderr: () => stderr,
    ended,
    waitForEvent: (match) => {
      const seen = events.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        waiters.push({ match, resolve });
        void ended.then(() => reject(new Error(`the executor ended before the event; stderr: ${stderr}`)));
      });
    },
  };
}

/** Run an executor to its end. */
export async function runExecutor(file: string, invocation: unknown, options: Parameters<typeof startExecutor>[2] = {}) {
  const started = startExecutor(file, invocation, options);
  const end = await started.ended;
  return { ...end, events: started.events, stderr: started.stderr(), pid: started.child.pid! };
}

/** The run's result event (the last one). */
export function resultOf(events: Array<Record<string, unknown>>): Record<string, unknown> | undefined {
  return events.filter((e) => e.type === 'result').at(-1);
}
