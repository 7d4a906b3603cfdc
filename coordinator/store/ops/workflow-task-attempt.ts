import type { JobDef, WorkflowDef } from '../../../lib/workflow/model.js';
import { ExpressionProblem, interpolate, interpolateDeep, renderValue } from '../../../lib/workflow/expressions.js';
import { requireInputs, WorkflowInputsError } from '../../../lib/workflow/resolve-inputs.js';
import { MAX_WORKFLOW_NESTING } from '../../../protocol/workflows.js';
import type { SqlClient } from '../sql-client.js';
import { BudgetExceededError } from '../store-errors.js';
import type { WorkflowTaskRecord } from '../workflow-rows.js';
import { getAgent } from './agent-documents.js';
import { getSession } from './get-records.js';
import type { AgentDocument } from '../../../protocol/agents.js';
import { AgentResolveError, MAX_EXTENDS_DEPTH, mergeChain } from '../../agents/resolve-agent.js';
import { inheritsSkills, sessionSkills } from '../../skills/skill-inheritance.js';
import { createSession } from './create-session.js';
import { askQuestion } from './questions.js';
import { expressionContext, jobStatus } from './workflow-context.js';
import { type AttemptOutcome, runOutputs, type WorkflowState, writeJob, writeTask } from './workflow-state.js';

/** The executor of `run:` steps (executors/shell): the prompt is the command. */
export const SHELL_EXECUTOR = 'shell';

/** Why an attempt could not start, made into the task's failure. */
class AttemptRefused extends Error {
  constructor(
    message: string,
    /** Retrying cannot help (a budget refusal, an unknown agent). */
    readonly final: boolean,
  ) {
    super(message);
  }
}

function fieldProblem(field: string, error: unknown): AttemptRefused {
  if (error instanceof ExpressionProblem || error instanceof WorkflowInputsError) return new AttemptRefused(`${field}: ${error.message}`, true);
  throw error;
}

/** An attempt started, or ended as it started (the task's record as written, and how it ended). */
export type AttemptStart = { task: WorkflowTaskRecord; ended: AttemptOutcome | null };

/**
 * Start the next attempt of a task, after `delayMs` (a retry's backoff): an agent or `run:` job gets a
 * session under the workflow's root (its first run claimable once the delay passed); a gate asks its
 * question; a nested workflow starts its own run under the root. An attempt that could not start (or a
 * gate remembered, a nested run that ended at once) comes back with how it ended, for the caller to end the
 * task with (taskEnded). Call with the workflow locked.
 */
export async function startTaskAttempt(tx: SqlClient, state: WorkflowState, job: JobDef, task: WorkflowTaskRecord, delayMs: number, now: number): Promise<AttemptStart> {
  const attempt = task.attempt + 1;
  const started: WorkflowTaskRecord = { ...task, attempt, status: 'running', error: null, started_at: task.started_at ?? now, retry_at: delayMs > 0 ? now + delayMs : null };
  const rec = state.jobs.get(job.id)!;
  await writeJob(tx, state, { ...rec, attempts: rec.attempts + 1 });
  try {
    if (job.kind === 'gate') return await askGate(tx, state, job, started, now);
    if (job.kind === 'workflow') return await startNested(tx, state, job, started, now);
    return { task: await startSession(tx, state, job, started, delayMs, now), ended: null };
  } catch (error) {
    if (!(error instanceof AttemptRefused)) throw error;
    const refused = { ...started, retry_at: null };
    await writeTask(tx, state, refused);
    return { task: refused, ended: { status: 'failed', outputs: null, error: error.message, final: error.final } };
  }
}

/** The metadata a task's session carries to its executor: its structured inputs, and where it is in which workflow. */
function taskMetadata(state: WorkflowState, job: JobDef, task: WorkflowTaskRecord, inputs: unknown): Record<string, unknown> {
  return {
    inputs,
    workflow: { workflow_run_id: state.run.id, name: state.def.name, job: job.id, task: task.task_key, attempt: task.attempt, matrix: task.matrix },
  };
}

/**
 * The job's agent as its sessions run with it: its `extends` chain read in this transaction and merged, as
 * the API resolves an agent for a session (coordinator/skills/session-skills.ts). @throws AttemptRefused
 * (final) for an unknown agent or a chain that cannot be resolved, naming the field.
 */
async function resolvedAgent(tx: SqlClient, name: string): Promise<AgentDocument> {
  const agent = await getAgent(tx, name);
  if (agent === null) throw new AttemptRefused(`agent ${name} is not known to the coordinator`, true);
  const known = new Map([[agent.name, agent]]);
  for (let current = agent; current.extends !== undefined && !known.has(current.extends) && known.size <= MAX_EXTENDS_DEPTH; ) {
    const base = await getAgent(tx, current.extends);
    if (base === null) break;
    known.set(base.name, base);
    current = base;
  }
  try {
    return mergeChain(agent, (n) => known.get(n) ?? null);
  } catch (error) {
    if (error instanceof AgentResolveError) throw new AttemptRefused(`agent "${name}": ${error.message}`, true);
    throw error;
  }
}

/** A job session's skills: its agent's, then the workflow root's unless the agent says `inherit_skills: false` (as effectiveSkills). */
async function jobSkills(tx: SqlClient, agent: AgentDocument, rootSessionId: string): Promise<string[]> {
  const root = inheritsSkills(agent) ? await getSession(tx, rootSessionId) : null;
  return sessionSkills(agent, root?.skills ?? []);
}

async function startSession(tx: SqlClient, state: WorkflowState, job: JobDef, task: WorkflowTaskRecord, delayMs: number, now: number): Promise<WorkflowTaskRecord> {
  const settings = tx.hooks.workflows;
  const ctx = expressionContext(state, task.matrix);
  const status = jobStatus(state, job.id);
  let prompt: string;
  let inputs: unknown;
  try {
    prompt = renderValue(interpolate(job.kind === 'run' ? (job.run ?? '') : (job.prompt ?? ''), ctx, status));
  } catch (error) {
    throw fieldProblem(job.kind === 'run' ? 'run' : 'prompt', error);
  }
  try {
    inputs = interpolateDeep(job.with, ctx, status);
  } catch (error) {
    throw fieldProblem('with', error);
  }
  if (prompt.trim() === '') prompt = `Workflow ${state.def.name}, job ${job.id}${task.matrix === null ? '' : ` ${JSON.stringify(task.matrix)}`}`;
  const agent = job.agent === null ? null : await resolvedAgent(tx, job.agent);
  const skills = agent === null ? [] : await jobSkills(tx, agent, state.run.root_session_id);
  const executor = job.kind === 'run' ? SHELL_EXECUTOR : (job.executor ?? agent?.executor ?? settings.defaultExecutor);
  const availableAt = now + delayMs;
  let created;
  try {
    created = await createSession(tx, {
      agent: job.kind === 'run' ? null : job.agent,
      executor,
      tags: job.tags.length > 0 ? job.tags : (agent?.tags ?? []),
      project_dir: state.run.project_dir,
      parent_session_id: state.run.root_session_id,
      priority: job.priority + state.run.priority,
      timeout_s: job.timeout_s ?? agent?.timeout_s ?? null,
      // As for a session started through the API: the agent's budget is a default, cut to what the workflow's tree has left.
      budget: agent?.budget ?? null,
      budget_is_default: agent?.budget !== undefined,
      skills,
      prompt,
      max_attempts: settings.maxAttempts,
      metadata: taskMetadata(state, job, task, inputs),
      workflow_run_id: state.run.id,
      available_at: availableAt,
    }, now);
  } catch (error) {
    if (error instanceof BudgetExceededError) throw new AttemptRefused(error.message, true);
    throw error;
  }
  if (delayMs > 0) tx.announce({ kind: 'claimable', requirement: { executor: created.run.executor, tags: created.run.tags, excluded_runners: [] }, at: availableAt });
  const written = { ...task, session_id: created.session.id, session_ids: [...task.session_ids, created.session.id] };
  await writeTask(tx, state, written);
  return written;
}

async function askGate(tx: SqlClient, state: WorkflowState, job: JobDef, task: WorkflowTaskRecord, now: number): Promise<AttemptStart> {
  const gate = job.gate!;
  let question: string;
  try {
    question = renderValue(interpolate(gate.question, expressionContext(state, task.matrix), jobStatus(state, job.id)));
  } catch (error) {
    throw fieldProblem('gate.question', error);
  }
  const approval = gate.options === null;
  const asked = await askQuestion(tx, state.run.root_session_id, {
    kind: approval ? 'approval' : 'question',
    question: question.trim() === '' ? `Workflow ${state.def.name}: continue past ${job.id}?` : question,
    options: gate.options,
    details: gate.details,
    urgency: gate.urgency,
    subject: approval ? { tool: 'workflow_gate', input: { workflow: state.def.name, workflow_run_id: state.run.id, job: job.id } } : null,
    wait: true,
    timeout_s: gate.timeout_s,
    on_timeout: approval ? (gate.on_timeout ?? 'deny') : null,
  }, now);
  if (asked.question === null) {
    // This gate was allowed "for this session" earlier in the run (a resume re-runs it): allowed again.
    await writeTask(tx, state, task);
    return { task, ended: { status: 'succeeded', outputs: { decision: 'allow', remembered: true }, error: null, final: true } };
  }
  const waiting = { ...task, status: 'waiting' as const, question_id: asked.question.id };
  await writeTask(tx, state, waiting);
  return { task: waiting, ended: null };
}

/** How deep a workflow run is nested in workflow runs (0 for one started on its own). */
async function nestingOf(tx: SqlClient, parentId: string | null): Promise<number> {
  let depth = 0;
  for (let id = parentId; id !== null && depth <= MAX_WORKFLOW_NESTING; depth++) {
    const [row] = await tx.query<{ parent_workflow_run_id: unknown }>('SELECT parent_workflow_run_id FROM workflow_runs WHERE id = ?', [id]);
    id = row?.parent_workflow_run_id === null || row?.parent_workflow_run_id === undefined ? null : String(row.parent_workflow_run_id);
  }
  return depth;
}

async function startNested(tx: SqlClient, state: WorkflowState, job: JobDef, task: WorkflowTaskRecord, now: number): Promise<AttemptStart> {
  const name = job.workflow!;
  const [row] = await tx.query<{ definition: unknown }>('SELECT definition FROM workflows WHERE name = ?', [name]);
  if (row === undefined) throw new AttemptRefused(`workflow ${name} is not in the coordinator's workflows folder`, true);
  if ((await nestingOf(tx, state.run.id)) >= MAX_WORKFLOW_NESTING) {
    throw new AttemptRefused(`workflow ${name}: workflows nest at most ${MAX_WORKFLOW_NESTING} deep (is one starting itself?)`, true);
  }
  const def = JSON.parse(String(row.definition)) as WorkflowDef;
  let inputs: Record<string, unknown>;
  try {
    const given = interpolateDeep(job.with, expressionContext(state, task.matrix), jobStatus(state, job.id)) as Record<string, unknown>;
    inputs = requireInputs(def.inputs, given);
  } catch (error) {
    throw fieldProblem('with', error);
  }
  let child;
  try {
    child = await tx.hooks.engine!.startWorkflowRunIn(tx, {
      def, inputs, trigger: 'workflow', project_dir: state.run.project_dir, parent_session_id: state.run.root_session_id,
      parent_workflow_run_id: state.run.id, parent_task: task.task_key, priority: state.run.priority, tags: state.run.tags, budget: null,
    }, now);
  } catch (error) {
    if (error instanceof BudgetExceededError) throw new AttemptRefused(error.message, true);
    throw error;
  }
  if (child.status === 'running') {
    const waiting = { ...task, status: 'waiting' as const, child_workflow_run_id: child.id };
    await writeTask(tx, state, waiting);
    return { task: waiting, ended: null };
  }
  // It ended as it started (every job skipped, say): its end is this task's now.
  const ended = { ...task, child_workflow_run_id: child.id };
  await writeTask(tx, state, ended);
  const status = child.status === 'succeeded' ? 'succeeded' : child.status === 'cancelled' ? 'cancelled' : 'failed';
  return { task: ended, ended: { status, outputs: child.outputs ?? (await runOutputs(tx, child.id)), error: child.error, final: false } };
}

