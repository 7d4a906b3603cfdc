/**
 * Messages addressed by @mention (the console's Chat, `POST /v1/mentions`): `@reviewer look at the last
 * commit` starts a session of agent `reviewer` with the prompt `look at the last commit`; `@a @b do X`
 * starts one of each. One parser, pure, used by the API (the page and the CLI send the message as typed).
 */
import { z } from 'zod';
import { MAX_PROMPT_CHARS } from './invocation.js';
import { SessionStatusSchema } from './statuses.js';
import './zod-config.js';

/**
 * A mention: `@` then an agent name (protocol/agents.ts AGENT_NAME: a letter or digit, then letters,
 * digits, `.`, `_`, `-`), where the `@` does not follow a name character or another `@` (so `a@b.c`, an
 * email, mentions nobody). Sticky so the scan below can try it at one position.
 */
const MENTION = /@([A-Za-z0-9][A-Za-z0-9._-]{0,127})/y;
/** Characters a mention's `@` may not follow (those of a name, and `@`). */
const NAME_CHAR = /[A-Za-z0-9._@-]/;
/** What may separate the mentions that open a message (spaces and punctuation: `@a, @b: do X`). */
const SEPARATOR_CHAR = /[\s,:;.]/;
const SEPARATOR = /^[\s,:;.]*/;

export interface ParsedMessage {
  /** The agents mentioned, each once, in the order first mentioned. */
  agents: string[];
  /** The prompt their sessions get: the message without the mentions that open it, trimmed. */
  prompt: string;
}

/**
 * The mentions in `message`, and the prompt. Mentions that open the message (before any other word,
 * separated by spaces, commas, colons or dots) address it and are removed from the prompt; a mention later in
 * the text addresses its agent too but stays in the prompt as written (the sentence still reads). A
 * name's trailing dots are punctuation (`… ask @reviewer.` mentions `reviewer`). Pure.
 * @example parseMentions('@a, @b: do X') // { agents: ['a', 'b'], prompt: 'do X' }
 * @example parseMentions('mail me@example.com') // { agents: [], prompt: 'mail me@example.com' }
 */
export function parseMentions(message: string): ParsedMessage {
  const agents: string[] = [];
  const seen = new Set<string>();
  let opening = true;
  let promptStart = 0;
  for (let i = 0; i < message.length; i++) {
    const ch = message[i]!;
    if (ch !== '@') {
      if (opening && !SEPARATOR_CHAR.test(ch)) opening = false;
      continue;
    }
    if (i > 0 && NAME_CHAR.test(message[i - 1]!)) {
      opening = false;
      continue;
    }
    MENTION.lastIndex = i;
    const match = MENTION.exec(message);
    if (match === null) {
      opening = false;
      continue;
    }
    const name = match[1]!.replace(/\.+$/, '');
    const end = i + 1 + name.length;
    // `@name@host` (an address) or a name longer than an agent's may be: nobody is mentioned.
    if (NAME_CHAR.test(message[i + match[0].length] ?? ' ')) {
      opening = false;
      i += match[0].length;
      continue;
    }
    if (!seen.has(name)) (seen.add(name), agents.push(name));
    if (opening) promptStart = end + (SEPARATOR.exec(message.slice(end))?.[0].length ?? 0);
    i = end - 1;
  }
  return { agents, prompt: message.slice(promptStart).trim() };
}

/** Most agents one message may address (each mention starts a session). */
export const MAX_MENTIONS = 20;

/** `POST /v1/mentions`: a message as typed, `@name` addressing agents. */
export const MentionMessageSchema = z.strictObject({
  message: z
    .string()
    .min(1, { message: 'message must not be empty' })
    .max(MAX_PROMPT_CHARS, { message: `message is longer than ${MAX_PROMPT_CHARS} characters` }),
});
export type MentionMessage = z.input<typeof MentionMessageSchema>;

/** A session a message started. */
export const MentionedSessionSchema = z.looseObject({ agent: z.string(), session_id: z.string(), run_id: z.string(), status: SessionStatusSchema });

/** An agent whose session did not start though its name was known (a budget, a limit): what the API said. */
export const MentionErrorSchema = z.looseObject({ agent: z.string(), status: z.number(), message: z.string() });

/**
 * `POST /v1/mentions` (201): the prompt the sessions got and the sessions started, one per agent
 * mentioned, in the order mentioned, and those that failed to start (`errors`, usually empty). Every name
 * is checked before any session starts.
 */
export const MentionsStartedSchema = z.looseObject({ prompt: z.string(), sessions: z.array(MentionedSessionSchema), errors: z.array(MentionErrorSchema) });
export type MentionsStarted = z.infer<typeof MentionsStartedSchema>;
