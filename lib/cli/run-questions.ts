import type { SessionEvent } from '../../protocol/events.js';
import type { AnswerQuestion, QuestionView } from '../../protocol/questions.js';
import { CoordinatorError } from '../client/coordinator-error.js';
import type { UserApi } from '../client/user-api.js';
import { cliAnswerer } from './inbox-command.js';
import { describeClosed, renderQuestion } from './render-question.js';
import type { Style } from './style.js';
import { terminalText } from './terminal-text.js';

/** Whether `run` may ask on this terminal: stdin and stdout are both a TTY (never in CI, a pipe or --json). */
export function canPrompt(json: boolean): boolean {
  return !json && process.stdin.isTTY === true && process.stdout.isTTY === true;
}

const SKIP = Symbol('skip');
type Choice = AnswerQuestion | typeof SKIP;

/**
 * `run`'s questions on a terminal: each question or approval of the tree (its `question` event) is shown
 * in full and asked right there with a prompt (@inquirer/prompts), one at a time. Event lines that come
 * while a prompt is open wait and are printed after it. Ctrl-C at the prompt leaves the question
 * unanswered (it stays in the inbox; `run` keeps following the tree): it is not a stop; a Ctrl-C after
 * that is `run`'s, which stops the tree. A question answered elsewhere (the inbox, a timeout) closes its prompt.
 */
export class QuestionPrompter {
  readonly #api: UserApi;
  readonly #write: (text: string) => void;
  readonly #style: Style;
  readonly #queue: string[] = [];
  readonly #held: string[] = [];
  /** The question asked now and how to close its prompt. */
  #current: { id: string; abort: AbortController } | null = null;
  #running: Promise<void> | null = null;
  #closed = false;

  constructor(api: UserApi, write: (text: string) => void, style: Style) {
    this.#api = api;
    this.#write = write;
    this.#style = style;
  }

  /** Whether a prompt is open (the caller's spinner must stay off). */
  get prompting(): boolean {
    return this.#current !== null;
  }

  /** Print a line now, or after the open prompt. */
  print(text: string): void {
    if (this.#running !== null) this.#held.push(text);
    else this.#write(text);
  }

  /** Take an event of the tree: a `question` is queued to be asked; an `answer` closes its prompt if it is open. */
  offer(event: SessionEvent): void {
    if (this.#closed) return;
    const id = typeof event.event.question_id === 'string' ? event.event.question_id : undefined;
    if (id === undefined) return;
    if (event.type === 'question') {
      this.#queue.push(id);
      this.#running ??= this.#drain().finally(() => {
        this.#running = null;
        for (const line of this.#held.splice(0)) this.#write(line);
      });
    } else if (event.type === 'answer') {
      const i = this.#queue.indexOf(id);
      if (i >= 0) this.#queue.splice(i, 1);
      if (this.#current?.id === id) this.#current.abort.abort();
    }
  }

  /** Close any open prompt and ask no more. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#queue.length = 0;
    this.#current?.abort.abort();
    await this.#running;
  }

  async #drain(): Promise<void> {
    for (let id = this.#queue.shift(); id !== undefined && !this.#closed; id = this.#queue.shift()) {
      const q = await this.#api.getQuestion(id).catch(() => null);
      if (q === null || q.status !== 'open') continue;
      await this.#ask(q);
    }
  }

  async #ask(q: QuestionView): Promise<void> {
    const abort = new AbortController();
    this.#current = { id: q.question_id, abort };
    this.#write(`\n${renderQuestion(q, this.#style)}`);
    try {
      const choice = await this.#prompt(q, abort.signal);
      if (choice === SKIP) {
        this.#write(this.#style.dim(`  left unanswered: answer later with \`agent-runner answer ${q.question_id} …\`\n`));
        return;
      }
      const answered = await this.#api.answerQuestion(q.question_id, { ...choice, answered_by: cliAnswerer() });
      this.#write(this.#style.green(`  ✔ ${describeClosed(answered)}\n`));
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'ExitPromptError') {
        this.#write(this.#style.dim(`\n  left unanswered (Ctrl-C): it stays in \`agent-runner inbox\`; Ctrl-C again stops the session\n`));
      } else if (name === 'AbortPromptError') {
        const now = await this.#api.getQuestion(q.question_id).catch(() => null);
        this.#write(this.#style.dim(`\n  ${now === null ? 'closed' : describeClosed(now)}\n`));
      } else if (error instanceof CoordinatorError) {
        this.#write(this.#style.red(`  ${terminalText(error.message)}\n`));
      } else {
        throw error;
      }
    } finally {
      this.#current = null;
    }
  }

  /** The prompt for one question: allow/deny for an approval, a list for options, a line of text otherwise. */
  async #prompt(q: QuestionView, signal: AbortSignal): Promise<Choice> {
    const { input, select } = await import('@inquirer/prompts');
    const ctx = { signal, clearPromptOnDone: false };
    if (q.kind === 'approval') {
      const decision = await select<string>(
        {
          message: `Allow ${terminalText(q.subject?.tool ?? 'this tool call')}?`,
          choices: [
            { name: 'allow once', value: 'allow' },
            { name: 'allow for this session', value: 'remember' },
            { name: 'deny', value: 'deny' },
            { name: 'deny, with a message for the agent…', value: 'deny-message' },
            { name: 'leave it unanswered', value: 'skip' },
          ],
        },
        ctx,
      );
      if (decision === 'skip') return SKIP;
      if (decision === 'allow') return { decision: 'allow' };
      if (decision === 'remember') return { decision: 'allow', remember: true };
      if (decision === 'deny') return { decision: 'deny' };
      const message = await input({ message: 'Message for the agent:' }, ctx);
      return { decision: 'deny', ...(message.trim() === '' ? {} : { message }) };
    }
    if (q.options !== null) {
      const picked = await select<number | 'text' | 'skip'>(
        {
          message: 'Your answer:',
          choices: [
            ...q.options.map((o, i) => ({ name: terminalText(o), value: i })),
            { name: 'type an answer…', value: 'text' as const },
            { name: 'leave it unanswered', value: 'skip' as const },
          ],
        },
        ctx,
      );
      if (picked === 'skip') return SKIP;
      if (typeof picked === 'number') return { choice: picked };
    }
    const text = await input({ message: 'Your answer (empty: leave it unanswered):' }, ctx);
    return text.trim() === '' ? SKIP : { text };
  }
}
