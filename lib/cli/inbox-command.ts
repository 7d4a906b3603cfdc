import { hostname, userInfo } from 'node:os';
import type { AnswerQuestion, QuestionView } from '../../protocol/questions.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { describeClosed, renderQuestion } from './render-question.js';
import { makeStyle } from './style.js';
import { type ClientOptions, withConnection } from './with-connection.js';

/** How often `inbox --follow` looks for new questions. */
export const INBOX_POLL_MS = 1_000;

/** Who answers from this terminal, as the question records it: `cli:<user>@<host>`. */
export function cliAnswerer(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    /* no passwd entry: keep "unknown" */
  }
  return `cli:${user}@${hostname()}`.slice(0, 200);
}

/**
 * `agent-runner inbox [--follow] [--json]`: open questions and approvals, oldest first (session, agent, tree
 * root, age, the question; an approval's exact tool call). `--follow` keeps looking (once a second) and
 * prints each new one, and a line when one is closed, until interrupted; with `--json`, one JSON line each.
 */
export async function inboxCommand(options: ClientOptions & { follow?: boolean }, signal?: AbortSignal): Promise<number> {
  return withConnection(options, false, async ({ api }) => {
    const style = makeStyle(process.stdout);
    const first = (await api.listQuestions({ status: 'open', limit: 1000 })).questions;
    if (options.json === true && options.follow !== true) {
      process.stdout.write(`${JSON.stringify({ questions: first }, null, 2)}\n`);
      return 0;
    }
    const show = (q: QuestionView) => process.stdout.write(options.json === true ? `${JSON.stringify(q)}\n` : `${renderQuestion(q, style)}\n`);
    if (first.length === 0 && options.json !== true) process.stdout.write(style.dim(`No open questions${options.follow === true ? '; waiting for some (Ctrl-C to stop)' : ''}.\n`));
    for (const q of first) show(q);
    if (options.follow !== true) return 0;
    const stop = signal ?? interruptSignal();
    let open = new Map(first.map((q) => [q.question_id, q]));
    while (!stop.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, INBOX_POLL_MS);
        stop.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
      if (stop.aborted) break;
      const now = (await api.listQuestions({ status: 'open', limit: 1000 })).questions;
      const next = new Map(now.map((q) => [q.question_id, q]));
      for (const q of now) if (!open.has(q.question_id)) show(q);
      for (const id of open.keys()) {
        if (next.has(id)) continue;
        const closed = await api.getQuestion(id);
        if (options.json === true) process.stdout.write(`${JSON.stringify(closed)}\n`);
        else process.stdout.write(style.dim(`${id} ${describeClosed(closed)}\n`));
      }
      open = next;
    }
    return 0;
  });
}

/** Aborted on the first SIGINT or SIGTERM (the follow ends cleanly). */
function interruptSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}

export interface AnswerOptions extends ClientOptions {
  choice?: string;
  allow?: boolean;
  deny?: boolean;
  message?: string;
  remember?: boolean;
}

/** The answer body the flags make: exactly one of TEXT, --choice N, --allow / --deny. @throws CliError (usage). */
export function answerBody(text: string | undefined, options: AnswerOptions): AnswerQuestion {
  const given = [text !== undefined, options.choice !== undefined, options.allow === true, options.deny === true].filter(Boolean).length;
  if (given !== 1) throw new CliError('give exactly one answer: TEXT, --choice N, --allow or --deny', EXIT_USAGE);
  if (options.remember === true && options.allow !== true) throw new CliError('--remember goes with --allow (allow this tool for the rest of the session)', EXIT_USAGE);
  const body: AnswerQuestion = { answered_by: cliAnswerer() };
  if (text !== undefined) body.text = text;
  if (options.choice !== undefined) {
    if (!/^\d+$/.test(options.choice)) throw new CliError(`--choice: "${options.choice}" is not an option number (0, 1, …)`, EXIT_USAGE);
    body.choice = Number(options.choice);
  }
  if (options.allow === true) body.decision = 'allow';
  if (options.deny === true) body.decision = 'deny';
  if (options.message !== undefined) body.message = options.message;
  if (options.remember === true) body.remember = true;
  return body;
}

/** `agent-runner answer QID [TEXT] [--choice N | --allow [--remember] | --deny] [--message M]`: answer once. */
export async function answerCommand(id: string, text: string | undefined, options: AnswerOptions): Promise<number> {
  const body = answerBody(text, options);
  return withConnection(options, false, async ({ api }) => {
    const answered = await api.answerQuestion(id, body);
    if (options.json === true) process.stdout.write(`${JSON.stringify(answered, null, 2)}\n`);
    else process.stdout.write(`${answered.question_id} ${describeClosed(answered)}\n`);
    return 0;
  });
}
