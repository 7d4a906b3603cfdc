import type { Context, Hono } from 'hono';
import type { WorkflowInputsError } from '../../../lib/workflow/resolve-inputs.js';
import type { WorkflowDef } from '../../../lib/workflow/model.js';
import { DEFAULT_PAGE_LIMIT } from '../../../protocol/limits.js';
import {
  CancelWorkflowRunSchema, DispatchWorkflowSchema, WorkflowRunEventsQuerySchema, ListWorkflowRunsQuerySchema, StartWorkflowRunSchema, type WorkflowTrigger,
} from '../../../protocol/workflows.js';
import { ApiError } from '../../api-error.js';
import { decodeCursor, encodeCursor } from '../../rules/cursor.js';
import { NotFoundError } from '../../store/store-errors.js';
import type { CoordinatorContext } from '../context.js';
import { readBody, readQuery } from '../validate.js';

/** What these routes need beyond the store, loaded on the first workflow request (the validator, cron, views). */
const modules = async () => {
  const [validate, inputs, render, stream] = await Promise.all([
    import('../../../lib/workflow/validate-workflow.js'),
    import('../../../lib/workflow/resolve-inputs.js'),
    import('../render-workflow.js'),
    import('../workflow-run-stream.js'),
  ]);
  return { ...validate, ...inputs, ...render, ...stream };
};

const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' };

/** 422 listing each problem with its path (and line:column when the document came from a file). */
function invalidWorkflow(issues: { path: string; message: string; line: number | null; col: number | null }[], prefix: string): ApiError {
  const first = issues[0]!;
  return new ApiError(422, 'invalid_request', `${prefix}${first.path}: ${first.message}${issues.length > 1 ? ` (and ${issues.length - 1} more)` : ''}`, {
    issues: issues.map((i) => ({ ...i, path: `${prefix}${i.path}` })),
  });
}

function invalidInputs(error: WorkflowInputsError): ApiError {
  return new ApiError(422, 'invalid_request', error.message, { issues: error.issues });
}

/** `/v1/workflows` (the folder's definitions, dispatch) and `/v1/workflow-runs` (start, list, show, follow, cancel, resume). */
export function mountWorkflowRoutes(app: Hono, ctx: CoordinatorContext): void {
  const { store } = ctx;

  /** The names a workflow given whole may refer to: the coordinator's agents and workflows. */
  const knownNames = async () => ({
    agents: new Set((await store.listAgents()).map((a) => a.name)),
    workflows: new Set((await store.listWorkflows()).map((w) => w.name)),
  });

  const mustGetDefinition = async (name: string) => {
    const record = await store.getWorkflow(name);
    if (record === null) {
      const known = (await store.listWorkflows()).map((w) => w.name);
      throw new ApiError(404, 'not_found', `workflow ${name} not found${known.length === 0 ? ' (the workflows folder holds none)' : `; known: ${known.slice(0, 20).join(', ')}`}`, { workflow: name });
    }
    return record;
  };

  const start = async (
    c: Context,
    def: WorkflowDef,
    given: Record<string, unknown>,
    options: { trigger: WorkflowTrigger; project_dir?: string | undefined; parent_session_id?: string | undefined; priority?: number | undefined; tags?: string[] | undefined; budget?: WorkflowDef['budget'] | undefined },
  ) => {
    const { requireInputs, WorkflowInputsError: InputsError } = await modules();
    let inputs: Record<string, unknown>;
    try {
      inputs = requireInputs(def.inputs, given);
    } catch (error) {
      if (error instanceof InputsError) throw invalidInputs(error);
      throw error;
    }
    if (options.parent_session_id !== undefined && (await store.getSession(options.parent_session_id)) === null) {
      throw new ApiError(422, 'invalid_request', `parent_session_id: no session ${options.parent_session_id}`, { issues: [{ path: 'parent_session_id', message: `no session ${options.parent_session_id}` }] });
    }
    const started = await store.startWorkflowRun({
      def, inputs, trigger: options.trigger, project_dir: options.project_dir ?? null, parent_session_id: options.parent_session_id ?? null,
      priority: options.priority ?? 0, tags: options.tags ?? [], budget: options.budget ?? null,
    }, Date.now());
    ctx.logger.info({ workflow: def.name, workflow_run: started.id, trigger: options.trigger }, 'workflow run started');
    return c.json({ workflow_run_id: started.id, root_session_id: started.run.root_session_id, name: def.name, status: started.status }, 201);
  };

  app.get('/v1/workflows', async (c) => {
    const { renderWorkflowSummary } = await modules();
    const now = Date.now();
    return c.json({ workflows: (await store.listWorkflows()).map((w) => renderWorkflowSummary(w, now)), problems: ctx.workflowsFolder?.problems() ?? [] });
  });

  app.post('/v1/workflows/reload', async (c) => {
    if (ctx.workflowsFolder === null) throw new ApiError(409, 'conflict', 'this coordinator has no workflows folder (--workflows-dir)', {});
    return c.json(await ctx.workflowsFolder.reload(true));
  });

  app.get('/v1/workflows/:name', async (c) => {
    const record = await mustGetDefinition(c.req.param('name'));
    const { renderWorkflowSummary } = await modules();
    return c.json({ ...renderWorkflowSummary(record), definition: record.definition, document: record.document });
  });

  app.post('/v1/workflows/:name/dispatch', async (c) => {
    const body = await readBody(c, DispatchWorkflowSchema, true);
    const record = await mustGetDefinition(c.req.param('name'));
    return start(c, record.definition, body.inputs ?? {}, { trigger: 'dispatch', project_dir: body.project_dir });
  });

  app.post('/v1/workflow-runs', async (c) => {
    const body = await readBody(c, StartWorkflowRunSchema);
    let def: WorkflowDef;
    if (body.workflow !== undefined) {
      def = (await mustGetDefinition(body.workflow)).definition;
    } else {
      const { validateWorkflowDocument } = await modules();
      const checked = validateWorkflowDocument(body.definition!, () => null, { ...(body.file === undefined ? {} : { file: body.file }), known: await knownNames() });
      if (checked.def === null) throw invalidWorkflow(checked.issues, 'definition.');
      def = checked.def;
    }
    return start(c, def, body.inputs ?? {}, {
      trigger: body.trigger ?? 'api', project_dir: body.project_dir, parent_session_id: body.parent_session_id, priority: body.priority, tags: body.tags, budget: body.budget,
    });
  });

  app.get('/v1/workflow-runs', async (c) => {
    const q = readQuery(c, ListWorkflowRunsQuerySchema);
    const before = q.cursor === undefined ? null : decodeCursor(q.cursor);
    if (q.cursor !== undefined && before === null) {
      throw new ApiError(400, 'invalid_request', 'cursor: not a cursor this API returned', { issues: [{ path: 'cursor', message: 'not a cursor this API returned' }] });
    }
    const page = await store.listWorkflowRuns({ name: q.name, status: q.status }, { limit: q.limit ?? DEFAULT_PAGE_LIMIT, before });
    const now = Date.now();
    const { renderWorkflowRunSummary } = await modules();
    return c.json({ workflow_runs: page.runs.map((r) => renderWorkflowRunSummary(r, now)), next_cursor: page.next === null ? null : encodeCursor(page.next) });
  });

  const mustRead = async (id: string) => {
    const read = await store.readWorkflowRun(id);
    if (read === null) throw new NotFoundError('workflow run', id);
    return read;
  };

  app.get('/v1/workflow-runs/:id', async (c) => c.json((await modules()).renderWorkflowRun(await mustRead(c.req.param('id')))));

  app.get('/v1/workflow-runs/:id/definition', async (c) => {
    const id = c.req.param('id');
    const read = await store.readWorkflowRun(id, { tasks: false });
    if (read === null) throw new NotFoundError('workflow run', id);
    return c.json({ workflow_run_id: read.run.id, definition: read.def });
  });

  app.get('/v1/workflow-runs/:id/events', async (c) => {
    const { tasks } = readQuery(c, WorkflowRunEventsQuerySchema);
    const id = c.req.param('id');
    const first = await store.readWorkflowRun(id, { tasks: tasks === true });
    if (first === null) throw new NotFoundError('workflow run', id);
    const { workflowRunStream } = await modules();
    return new Response(workflowRunStream(ctx, id, first, tasks === true, c.req.raw.signal), { headers: SSE_HEADERS });
  });

  app.post('/v1/workflow-runs/:id/cancel', async (c) => {
    const body = await readBody(c, CancelWorkflowRunSchema, true);
    const run = await store.cancelWorkflowRun(c.req.param('id'), Date.now());
    ctx.logger.info({ workflow_run: run.id, reason: body.reason ?? null }, 'workflow run cancel requested');
    return c.json((await modules()).renderWorkflowRun(await mustRead(run.id)), run.status === 'running' ? 202 : 200);
  });

  app.post('/v1/workflow-runs/:id/resume', async (c) => {
    await readBody(c, CancelWorkflowRunSchema.pick({}), true);
    const run = await store.resumeWorkflowRun(c.req.param('id'), Date.now());
    ctx.logger.info({ workflow_run: run.id, attempt: run.attempt }, 'workflow run resumed');
    return c.json((await modules()).renderWorkflowRun(await mustRead(run.id)));
  });
}
