/**
 * People in the loop: questions and approvals an agent asks (MCP `ask_user`, `request_approval`), and
 * their answers (`/v1/questions`, `POST /v1/sessions/:id/questions`).
 */
import { z } from 'zod';
import { isoTime, limit } from './fields.js';
import { MAX_TIMEOUT_S } from './limits.js';
import './zod-config.js';

/** Longest question text, details (markdown), option, answer text and message. */
export const MAX_QUESTION_CHARS = 10_000;
export const MAX_DETAILS_CHARS = 50_000;
export const MAX_OPTION_CHARS = 500;
export const MAX_OPTIONS = 50;
export const MAX_ANSWER_CHARS = 20_000;
/** Largest approval subject (the tool call's input), as JSON. */
export const MAX_SUBJECT_CHARS = 200_000;

export const QuestionKindSchema = z.enum(['question', 'approval'], { message: 'kind must be "question" or "approval"' });
export type QuestionKind = z.infer<typeof QuestionKindSchema>;
export const UrgencySchema = z.enum(['low', 'normal', 'high'], { message: 'urgency must be "low", "normal" or "high"' });
export const DecisionSchema = z.enum(['allow', 'deny'], { message: 'decision must be "allow" or "deny"' });
export type Decision = z.infer<typeof DecisionSchema>;
export const OnTimeoutSchema = z.enum(['deny', 'allow'], { message: 'on_timeout must be "deny" or "allow"' });
export const QuestionStatusSchema = z.enum(['open', 'answered', 'timed_out', 'cancelled'], {
  message: 'status must be "open", "answered", "timed_out" or "cancelled"',
});
export type QuestionStatus = z.infer<typeof QuestionStatusSchema>;

const questionTimeout = z
  .int({ message: 'timeout_s must be a whole number of seconds' })
  .positive({ message: 'timeout_s must be a positive whole number of seconds' })
  .max(MAX_TIMEOUT_S, { message: `timeout_s must be at most ${MAX_TIMEOUT_S} (7 days)` });

/** What an approval asks about: the exact tool call (shown in full to the person). */
export const ApprovalSubjectSchema = z.strictObject({
  tool: z.string().min(1, { message: 'subject.tool must not be empty' }).max(256, { message: 'subject.tool is longer than 256 characters' }),
  input: z.record(z.string(), z.unknown(), { message: 'subject.input must be an object (the tool call\'s arguments)' }),
});
export type ApprovalSubject = z.infer<typeof ApprovalSubjectSchema>;

/**
 * `POST /v1/sessions/:id/questions`: a session asks (the runner's MCP endpoint calls it for `ask_user`
 * and `request_approval`). An approval gives `subject`; its question text is made from it when absent.
 */
export const AskQuestionSchema = z
  .strictObject({
    kind: QuestionKindSchema.default('question'),
    question: z
      .string()
      .min(1, { message: 'question must not be empty' })
      .max(MAX_QUESTION_CHARS, { message: `question is longer than ${MAX_QUESTION_CHARS} characters` })
      .optional(),
    options: z
      .array(z.string().min(1, { message: 'an option must not be empty' }).max(MAX_OPTION_CHARS, { message: `an option is longer than ${MAX_OPTION_CHARS} characters` }))
      .min(1, { message: 'options must hold at least one choice (leave it out for a free answer)' })
      .max(MAX_OPTIONS, { message: `at most ${MAX_OPTIONS} options` })
      .optional(),
    details: z.string().max(MAX_DETAILS_CHARS, { message: `details is longer than ${MAX_DETAILS_CHARS} characters` }).optional(),
    urgency: UrgencySchema.default('normal'),
    timeout_s: questionTimeout.optional(),
    wait: z.boolean({ message: 'wait must be true or false' }).default(true),
    subject: ApprovalSubjectSchema.optional(),
    on_timeout: OnTimeoutSchema.optional(),
  })
  .superRefine((q, ctx) => {
    if (q.kind === 'approval') {
      if (q.subject === undefined) ctx.addIssue({ code: 'custom', path: ['subject'], message: 'an approval needs subject: {tool, input}' });
      if (q.options !== undefined) ctx.addIssue({ code: 'custom', path: ['options'], message: 'an approval is answered allow or deny; it takes no options' });
    } else {
      if (q.question === undefined) ctx.addIssue({ code: 'custom', path: ['question'], message: 'question is required' });
      if (q.subject !== undefined) ctx.addIssue({ code: 'custom', path: ['subject'], message: 'subject is for approvals (kind "approval")' });
      if (q.on_timeout !== undefined) ctx.addIssue({ code: 'custom', path: ['on_timeout'], message: 'on_timeout is for approvals (kind "approval")' });
    }
  });
export type AskQuestion = z.infer<typeof AskQuestionSchema>;

/** `POST /v1/questions/:id/answer`: one of text, choice, decision (which fits the question is checked against it). */
export const AnswerQuestionSchema = z
  .strictObject({
    text: z.string().min(1, { message: 'text must not be empty' }).max(MAX_ANSWER_CHARS, { message: `text is longer than ${MAX_ANSWER_CHARS} characters` }).optional(),
    choice: z.int({ message: 'choice must be a whole number (the index of an option, from 0)' }).min(0, { message: 'choice must be at least 0' }).optional(),
    decision: DecisionSchema.optional(),
    message: z.string().max(MAX_ANSWER_CHARS, { message: `message is longer than ${MAX_ANSWER_CHARS} characters` }).optional(),
    remember: z.boolean({ message: 'remember must be true or false' }).optional(),
    /** Who answers, as they want it shown (`agent-runner answer` sends `cli:<user>@<host>`). */
    answered_by: z.string().min(1, { message: 'answered_by must not be empty' }).max(200, { message: 'answered_by is longer than 200 characters' }).optional(),
  })
  .superRefine((a, ctx) => {
    if (a.text === undefined && a.choice === undefined && a.decision === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'give text, choice or decision' });
    }
  });
export type AnswerQuestion = z.infer<typeof AnswerQuestionSchema>;

/** The answer as stored and delivered to the agent. `timed_out`: the coordinator closed it at its timeout. */
export const QuestionAnswerSchema = z.looseObject({
  text: z.string().optional(),
  choice: z.number().optional(),
  /** The option chosen, as text. */
  choice_text: z.string().optional(),
  decision: DecisionSchema.optional(),
  message: z.string().optional(),
  remember: z.boolean().optional(),
  timed_out: z.boolean().optional(),
});
export type QuestionAnswer = z.infer<typeof QuestionAnswerSchema>;

/** A question as the API shows it. */
export const QuestionViewSchema = z.looseObject({
  question_id: z.string(),
  session_id: z.string(),
  run_id: z.string(),
  root_session_id: z.string(),
  kind: QuestionKindSchema,
  question: z.string(),
  options: z.array(z.string()).nullable(),
  details: z.string().nullable(),
  urgency: UrgencySchema,
  subject: ApprovalSubjectSchema.nullable(),
  wait: z.boolean(),
  timeout_s: z.number().nullable(),
  timeout_at: isoTime.nullable(),
  on_timeout: OnTimeoutSchema.nullable(),
  status: QuestionStatusSchema,
  answer: QuestionAnswerSchema.nullable(),
  answered_by: z.string().nullable(),
  answered_at: isoTime.nullable(),
  /** The run that resumed the session with the answer (a `wait: false` question, or one whose asking run had ended). */
  resume_run_id: z.string().nullable(),
  created_at: isoTime,
  /** `GET /v1/questions` and `/:id`: the asking session's agent (null: none). */
  agent: z.string().nullable().optional(),
});
export type QuestionView = z.infer<typeof QuestionViewSchema>;

/**
 * `POST /v1/sessions/:id/questions` (201): the question, and the seq of its `question` event (follow the
 * session's events after it for the `answer`). An approval of a tool the session already allowed for the
 * session is not asked: `remembered: true`, `question: null`.
 */
export const QuestionAskedSchema = z.looseObject({
  question: QuestionViewSchema.nullable(),
  remembered: z.boolean(),
  event_seq: z.number(),
});

export const ListQuestionsQuerySchema = z.strictObject({
  /** `closed`: answered, timed out or cancelled. */
  status: z
    .enum(['open', 'answered', 'timed_out', 'cancelled', 'closed', 'all'], { message: 'status must be open, answered, timed_out, cancelled, closed or all' })
    .optional(),
  /** `asked` (the default): oldest asked first. `recent`: latest first, by when it closed (when it was asked, for an open one). */
  order: z.enum(['asked', 'recent'], { message: 'order must be "asked" or "recent"' }).optional(),
  session: z.string().min(1, { message: 'session must not be empty' }).optional(),
  root: z.string().min(1, { message: 'root must not be empty' }).optional(),
  limit: limit.optional(),
});
export type ListQuestionsQuery = z.infer<typeof ListQuestionsQuerySchema>;

/** `GET /v1/questions`: oldest first (`?order=recent`: latest closed or asked first). */
export const QuestionListSchema = z.looseObject({ questions: z.array(QuestionViewSchema) });

/** The `question` event on the asking session's stream (and its tree's). */
export const QuestionEventSchema = QuestionViewSchema.pick({
  question_id: true, kind: true, question: true, options: true, details: true, urgency: true, subject: true, wait: true, timeout_at: true,
}).extend({ type: z.literal('question') });
export type QuestionEvent = z.infer<typeof QuestionEventSchema>;

/** The `answer` event: the question was answered, timed out or cancelled. */
export const AnswerEventSchema = z.looseObject({
  type: z.literal('answer'),
  question_id: z.string(),
  status: QuestionStatusSchema,
  answer: QuestionAnswerSchema.nullable(),
  answered_by: z.string().nullable(),
  answered_at: isoTime.nullable(),
});
export type AnswerEvent = z.infer<typeof AnswerEventSchema>;

/** Blueprint `approvals`: tools whose calls need a person's approval (`*` at the end matches a prefix). */
export const ApprovalsSchema = z
  .strictObject({
    tools: z
      .array(z.string().min(1, { message: 'approvals.tools: a tool name must not be empty' }).max(256))
      .min(1, { message: 'approvals.tools must name at least one tool' })
      .max(256, { message: 'approvals.tools: at most 256 tools' }),
    timeout_s: questionTimeout.optional(),
    on_timeout: OnTimeoutSchema.optional(),
  })
  .describe('Tools whose calls wait for a person\'s approval (claude-code: its permission requests; any executor: the request_approval MCP tool).');
export type Approvals = z.infer<typeof ApprovalsSchema>;

/** Whether blueprint `approvals` lists `tool` (exactly, or by a pattern ending in `*`). Pure. */
export function approvalListed(approvals: Pick<Approvals, 'tools'> | undefined, tool: string): boolean {
  if (approvals === undefined) return false;
  return approvals.tools.some((pattern) => (pattern.endsWith('*') ? tool.startsWith(pattern.slice(0, -1)) : pattern === tool));
}
