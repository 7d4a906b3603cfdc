import { type ClientOptions, withConnection } from './with-connection.js';

/**
 * `sessions retry ID`: start an ended session again as a new session (same agent, executor, tags, prompt,
 * project folder, parent, priority, timeout, budget) and print its id. The coordinator refuses (exit 1,
 * naming the state) while the session is queued or running.
 */
export async function retrySessionCommand(id: string, options: ClientOptions): Promise<number> {
  return withConnection(options, false, async ({ api }) => {
    const retried = await api.retrySession(id);
    process.stdout.write(options.json ? `${JSON.stringify(retried)}\n` : `${retried.session_id}\n`);
    if (!options.json) process.stderr.write(`retry of ${retried.retry_of}: ${retried.session_id} is ${retried.status} (run ${retried.run_id}); follow it with \`agent-runner sessions events ${retried.session_id} --follow\`\n`);
    return 0;
  });
}
