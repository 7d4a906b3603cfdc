/**
 * `agent-runner workflow run FILE|NAME [--input k=v …] [--json] [--detach]`: start a workflow run and follow
 * it live (a line per job, redrawn in place on a terminal; a line per change otherwise; JSON lines with
 * --json) until it ends. The exit code follows the run: 0 succeeded, 1 failed, 130 cancelled.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { WorkflowDef } from '../workflow/model.js';
import { resolveInputs } from '../workflow/resolve-inputs.js';
import { readWorkflowFile } from '../workflow/read-workflow-file.js';
import { validateWorkflow } from '../workflow/validate-workflow.js';
import { renderWorkflowJsonLines, renderWorkflowLive } from '../workflow/live-view.js';
import type { WorkflowRunView } from '../../protocol/workflows.js';
import type { UserApi } from '../client/user-api.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { colorsOn } from './style.js';
import { terminalText } from './terminal-text.js';
import { type ClientOptions, withConnection } from './with-connection.js';

export interface WorkflowRunOptions extends ClientOptions {
  input?: string[];
  detach?: boolean;
  projectDir?: string;
}

/** The exit code of an ended run. */
export function workflowExitCode(status: WorkflowRunView['status']): number {
  return status === 'succeeded' ? 0 : status === 'cancelled' ? 130 : 1;
}

/** Whether the argument names a file (a path that exists, or one that looks like a workflow file). */
function isFile(target: string): boolean {
  return /\.(ya?ml|json)$/i.test(target) || target.includes('/') || existsSync(target);
}

/** `--input k=v` pairs, each split at its first `=`. @throws CliError naming a pair without one. */
export function parseInputPairs(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`--input: "${terminalText(pair)}" must be NAME=VALUE`, EXIT_USAGE);
    const name = pair.slice(0, eq);
    if (Object.hasOwn(out, name)) throw new CliError(`--input: ${terminalText(name)} is given twice`, EXIT_USAGE);
    out[name] = pair.slice(eq + 1);
  }
  return out;
}

/** A file validated here (each issue as file:line:col), or the folder's workflow by name (its definition read from the coordinator). */
async function target(api: UserApi, what: string): Promise<{ def: WorkflowDef; body: { workflow: string } | { definition: Record<string, unknown>; file: string } }> {
  if (!isFile(what)) return { def: (await api.getWorkflow(what)).definition as unknown as WorkflowDef, body: { workflow: what } };
  const path = resolve(what);
  if (!existsSync(path) || !statSync(path).isFile()) throw new CliError(`${terminalText(what)}: no such file`, EXIT_USAGE);
  const text = readFileSync(path, 'utf8');
  const checked = validateWorkflow(text, { file: what });
  if (checked.def === null) {
    const lines = checked.issues.map((i) => `${terminalText(what)}${i.line === null ? '' : `:${i.line}:${i.col}`}: ${terminalText(i.path)}: ${terminalText(i.message)}`);
    throw new CliError(lines.join('\n'), EXIT_USAGE);
  }
  const read = readWorkflowFile(text);
  if (!read.ok) throw new CliError(`${terminalText(what)}: cannot be read`, EXIT_USAGE);
  return { def: checked.def, body: { definition: read.document, file: what } };
}

/** Follow a run to its end, printing it; the last view (null when interrupted before it ended). */
export async function followAndPrint(api: UserApi, id: string, options: { json?: boolean }, signal: AbortSignal): Promise<WorkflowRunView | null> {
  const out = process.stdout;
  const tty = out.isTTY === true && options.json !== true;
  let previous: WorkflowRunView | null = null;
  let drawn = 0;
  let last: WorkflowRunView | null = null;
  for await (const view of api.followWorkflowRun(id, signal)) {
    last = view;
    if (options.json === true) {
      for (const line of renderWorkflowJsonLines(previous, view)) out.write(`${line}\n`);
    } else if (tty) {
      const lines = renderWorkflowLive(view, { width: out.columns ?? 100, color: colorsOn(out) });
      if (drawn > 0) out.write(`\u001b[${drawn}F\u001b[J`);
      out.write(`${lines.join('\n')}\n`);
      drawn = lines.length;
    } else {
      // Not a terminal: a line for each job that changed, then the summary once it ended.
      const changed = view.jobs.filter((j) => {
        const before = previous?.jobs.find((p) => p.id === j.id);
        return before === undefined ? j.status !== 'pending' : before.status !== j.status || before.attempts !== j.attempts;
      });
      const lines = renderWorkflowLive(view, { width: 120, color: false });
      for (const j of changed) out.write(`${lines[view.jobs.indexOf(j)]}\n`);
      if (view.status !== 'running') out.write(`${lines[lines.length - 1]}\n`);
    }
    previous = view;
  }
  return last !== null && last.status !== 'running' ? last : null;
}

/** `workflow run`. */
export async function workflowRunCommand(what: string, options: WorkflowRunOptions): Promise<number> {
  const given = parseInputPairs(options.input ?? []);
  return withConnection(options, true, async (connection) => {
    const { api } = connection;
    const { def, body } = await target(api, what);
    const resolved = resolveInputs(def.inputs, given, { fromText: true });
    if (!resolved.ok) throw new CliError(resolved.issues.map((i) => `--input ${i.path.replace(/^inputs\./, '')}: ${i.message}`).join('\n'), EXIT_USAGE);
    const started = await api.startWorkflowRun({ ...body, inputs: resolved.inputs, project_dir: resolve(options.projectDir ?? '.'), trigger: 'cli' });
    // An in-process runner serves this run's tree (and nothing an earlier command left in the database).
    connection.serveTree(started.root_session_id);
    if (options.detach) {
      process.stdout.write(options.json ? `${JSON.stringify(started)}\n` : `${started.workflow_run_id}\n`);
      return 0;
    }
    if (options.json !== true) process.stdout.write(`▶ workflow ${terminalText(def.name)}  run ${started.workflow_run_id}  root ${started.root_session_id}\n`);
    // The first interruption cancels the run (always() jobs still run) and waits for its end; a second stops waiting.
    const controller = new AbortController();
    let interrupts = 0;
    const interrupt = () => {
      interrupts += 1;
      if (interrupts === 1) void api.cancelWorkflowRun(started.workflow_run_id, 'interrupted').catch(() => undefined);
      else controller.abort();
    };
    process.on('SIGINT', interrupt);
    process.on('SIGTERM', interrupt);
    try {
      const ended = await followAndPrint(api, started.workflow_run_id, options, controller.signal);
      if (ended === null) return 130;
      if (ended.error !== null && options.json !== true) process.stderr.write(`${terminalText(ended.error)}\n`);
      return workflowExitCode(ended.status);
    } finally {
      process.off('SIGINT', interrupt);
      process.off('SIGTERM', interrupt);
    }
  });
}
