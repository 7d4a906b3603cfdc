import type { Hono } from 'hono';
import { DEFAULT_PAGE_LIMIT } from '../../../protocol/limits.js';
import {
  AnswerQuestionSchema,
  approvalListed,
  AskQuestionSchema,
  ListQuestionsQuerySchema,
  MAX_SUBJECT_CHARS,
} from '../../../protocol/questions.js';
import { NotFoundError } from '../../store/store-errors.js';
import { answerQuestion, badField } from '../../rules/answer-question.js';
import type { CoordinatorContext } from '../context.js';
import { renderQuestion } from '../render.js';
import { readBody, readQuery } from '../validate.js';

/** `POST /v1/sessions/:id/questions` (a session asks), `GET /v1/questions`, `GET /v1/questions/:id`, `POST /v1/questions/:id/answer`. */
export function mountQuestionRoutes(app: Hono, ctx: CoordinatorContext): void {
  const { store } = ctx;
  const mustGet = async (id: string) => {
    const q = await store.getQuestion(id);
    if (q === null) throw new NotFoundError('question', id);
    return q;
  };

  app.post('/v1/sessions/:id/questions', async (c) => {
    const body = await readBody(c, AskQuestionSchema);
    const session = await store.getSession(c.req.param('id'));
    if (session === null) throw new NotFoundError('session', c.req.param('id'));
    let { timeout_s: timeoutS, on_timeout: onTimeout } = body;
    if (body.kind === 'approval') {
      const subject = body.subject!;
      if (JSON.stringify(subject.input).length > MAX_SUBJECT_CHARS) throw badField('subject.input', `larger than ${MAX_SUBJECT_CHARS} characters as JSON`);
      // The blueprint's approvals give the defaults when they list the tool.
      const approvals = session.agent === null ? undefined : (await store.getAgent(session.agent))?.approvals;
      if (approvals !== undefined && approvalListed(approvals, subject.tool)) {
        timeoutS ??= approvals.timeout_s;
        onTimeout ??= approvals.on_timeout;
      }
      onTimeout ??= 'deny';
    }
    const question = body.question ?? `Allow ${body.subject?.tool ?? 'this tool call'}?`;
    const asked = await store.askQuestion(
      session.id,
      {
        kind: body.kind, question, options: body.options ?? null, details: body.details ?? null, urgency: body.urgency,
        subject: body.subject ?? null, wait: body.wait, timeout_s: timeoutS ?? null, on_timeout: onTimeout ?? null,
      },
      Date.now(),
    );
    if (asked.question !== null) ctx.logger.info({ question: asked.question.id, session: session.id, kind: body.kind }, 'question asked');
    return c.json({ question: asked.question === null ? null : renderQuestion(asked.question, session.agent), remembered: asked.question === null, event_seq: asked.event_seq }, 201);
  });

  app.get('/v1/questions', async (c) => {
    const q = readQuery(c, ListQuestionsQuerySchema);
    const status = q.status === undefined ? 'open' : q.status === 'all' ? null : q.status;
    const rows = await store.listQuestions({ status, session_id: q.session, root_session_id: q.root, order: q.order }, q.limit ?? DEFAULT_PAGE_LIMIT);
    return c.json({ questions: rows.map((r) => renderQuestion(r.question, r.agent)) });
  });

  app.get('/v1/questions/:id', async (c) => {
    const q = await mustGet(c.req.param('id'));
    const session = await store.getSession(q.session_id);
    return c.json(renderQuestion(q, session?.agent ?? null));
  });

  app.post('/v1/questions/:id/answer', async (c) => {
    const body = await readBody(c, AnswerQuestionSchema);
    const q = await mustGet(c.req.param('id'));
    const closed = await answerQuestion(store, q, body, body.answered_by ?? 'api', Date.now());
    ctx.logger.info({ question: q.id, session: q.session_id, by: closed.answered_by }, 'question answered');
    return c.json(renderQuestion(closed));
  });
}
