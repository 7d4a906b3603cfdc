import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import {
  AnswerEventSchema,
  MAX_DETAILS_CHARS,
  MAX_OPTION_CHARS,
  MAX_OPTIONS,
  MAX_QUESTION_CHARS,
  type AnswerEvent,
  type QuestionView,
} from '../../protocol/questions.js';
import { MAX_TIMEOUT_S } from '../../protocol/limits.js';
import type { ToolContext } from './tool-context.js';
import { QUESTION_PROGRESS_MS } from './tool-limits.js';
import { guarded, toolResult, ToolError, type ToolExtra } from './tool-result.js';

const timeoutS = z.int().min(1).max(MAX_TIMEOUT_S);
const wait = z
  .boolean()
  .default(true)
  .describe(
    'true (default): this call returns with the answer. false: it returns the question_id at once; end your turn, and your session is ' +
      'resumed with the answer as its next message (no process waits while a person thinks).',
  );

/**
 * Wait for the `answer` event of question `questionId` on the session's stream, from after `afterSeq` (the
 * question's own event), sending a progress notification every QUESTION_PROGRESS_MS when the caller asked
 * for progress, so its MCP client keeps the call alive. Ends when the caller goes away (its run ended).
 */
export async function awaitAnswer(ctx: ToolContext, sessionId: string, questionId: string, afterSeq: number, extra: ToolExtra): Promise<AnswerEvent> {
  const token = extra._meta?.progressToken;
  let sent = 0;
  const timer =
    token === undefined
      ? undefined
      : setInterval(() => {
          const params = { progressToken: token, progress: ++sent, message: `waiting for an answer to ${questionId}` };
          extra.sendNotification({ method: 'notifications/progress', params }).catch(() => undefined);
        }, QUESTION_PROGRESS_MS);
  const inner = new AbortController();
  const abort = () => inner.abort();
  extra.signal.addEventListener('abort', abort, { once: true });
  try {
    for await (const event of ctx.streams.followEvents(sessionId, afterSeq, inner.signal)) {
      if (event.type !== 'answer') continue;
      const answer = AnswerEventSchema.safeParse(event.event);
      if (answer.success && answer.data.question_id === questionId) return answer.data;
    }
    throw new ToolError(`stopped waiting for the answer to ${questionId}; when it comes, your session is resumed with it`);
  } finally {
    if (timer !== undefined) clearInterval(timer);
    extra.signal.removeEventListener('abort', abort);
    inner.abort();
  }
}

/** What `ask_user` returns once answered. */
function questionResult(q: QuestionView, a: AnswerEvent) {
  return {
    question_id: q.question_id,
    status: a.status,
    answer: a.answer,
    answered_by: a.answered_by,
    answered_at: a.answered_at,
    ...(a.status === 'timed_out' ? { note: `no answer within ${q.timeout_s ?? 0} s` } : {}),
    ...(a.status === 'cancelled' ? { note: 'the question was cancelled; no answer will come' } : {}),
  };
}

/** ask_user (alias escalate_decision) and request_approval: a person in the loop. */
export function registerQuestionTools(server: McpServer, ctx: ToolContext): void {
  const askUser = guarded(
    async (
      args: { question: string; options?: string[] | undefined; details?: string | undefined; urgency?: 'low' | 'normal' | 'high' | undefined; timeout_s?: number | undefined; wait: boolean },
      extra,
      caller,
    ) => {
      const asked = await ctx.api.askQuestion(caller, {
        kind: 'question',
        question: args.question,
        wait: args.wait,
        ...(args.options === undefined ? {} : { options: args.options }),
        ...(args.details === undefined ? {} : { details: args.details }),
        ...(args.urgency === undefined ? {} : { urgency: args.urgency }),
        ...(args.timeout_s === undefined ? {} : { timeout_s: args.timeout_s }),
      });
      const q = asked.question!;
      if (!args.wait) return toolResult({ question_id: q.question_id, status: 'open', note: 'end your turn; your session is resumed with the answer as its next message' });
      return toolResult(questionResult(q, await awaitAnswer(ctx, caller, q.question_id, asked.event_seq, extra)));
    },
  );
  const askSchema = {
    question: z.string().min(1).max(MAX_QUESTION_CHARS).describe('What you need a person to decide or tell you.'),
    options: z
      .array(z.string().min(1).max(MAX_OPTION_CHARS))
      .min(1)
      .max(MAX_OPTIONS)
      .optional()
      .describe('Choices to pick from (the answer gives the index as `choice` and its text as `choice_text`); leave out for a free answer.'),
    details: z.string().max(MAX_DETAILS_CHARS).optional().describe('Context for the person, as markdown.'),
    urgency: z.enum(['low', 'normal', 'high']).optional().describe('How soon it matters (default normal).'),
    timeout_s: timeoutS.optional().describe('Close the question after this many seconds with "no answer within N s" (default: it waits).'),
    wait,
  };
  const description =
    'Ask a person a question (a decision you should not take alone, missing information). They answer from the inbox, the CLI or their phone. ' +
    'Returns their answer: `answer.text`, or `answer.choice` / `answer.choice_text` when you gave options; `status` "timed_out" when timeout_s passed without one.';
  server.registerTool('ask_user', { description, inputSchema: askSchema }, askUser);
  server.registerTool('escalate_decision', { description: `${description} (Same as ask_user.)`, inputSchema: askSchema }, askUser);

  server.registerTool(
    'request_approval',
    {
      description:
        'Ask a person to approve one exact tool call before you make it. Returns `decision` "allow" or "deny" (with an optional `message` from them); ' +
        '`remember: true` means allowed for the rest of this session (later requests for the same tool return allow at once, `remembered: true`). ' +
        'Do not make the call when the decision is deny.',
      inputSchema: {
        tool: z.string().min(1).max(256).describe('The tool you want to call, e.g. "Bash".'),
        input: z.record(z.string(), z.unknown()).describe('Its exact arguments, as you would call it (shown to the person in full).'),
        reason: z.string().max(MAX_DETAILS_CHARS).optional().describe('Why you need it (markdown).'),
        timeout_s: timeoutS.optional().describe('Decide by on_timeout after this many seconds (default: the blueprint\'s approvals.timeout_s, else wait).'),
        on_timeout: z.enum(['deny', 'allow']).optional().describe('The decision when timeout_s passes (default: the blueprint\'s, else deny).'),
        wait,
      },
    },
    guarded(async (args, extra, caller) => {
      const asked = await ctx.api.askQuestion(caller, {
        kind: 'approval',
        subject: { tool: args.tool, input: args.input },
        wait: args.wait,
        ...(args.reason === undefined ? {} : { details: args.reason }),
        ...(args.timeout_s === undefined ? {} : { timeout_s: args.timeout_s }),
        ...(args.on_timeout === undefined ? {} : { on_timeout: args.on_timeout }),
      });
      if (asked.remembered || asked.question === null) return toolResult({ decision: 'allow', remember: true, remembered: true });
      const q = asked.question;
      if (!args.wait) return toolResult({ question_id: q.question_id, status: 'open', note: 'end your turn; your session is resumed with the decision as its next message' });
      const a = await awaitAnswer(ctx, caller, q.question_id, asked.event_seq, extra);
      const decision = a.answer?.decision ?? 'deny';
      return toolResult({
        question_id: q.question_id,
        decision,
        ...(a.answer?.message === undefined ? (a.status === 'cancelled' ? { message: 'the approval was cancelled' } : {}) : { message: a.answer.message }),
        remember: a.answer?.remember === true,
        timed_out: a.status === 'timed_out',
        ...(a.answered_by === null ? {} : { answered_by: a.answered_by }),
      });
    }),
  );
}
