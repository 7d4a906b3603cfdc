/**
 * `agent-runner workflow validate FILE…` and `workflow graph FILE`: workflow files checked offline by the
 * one validator (lib/workflow/validate-workflow.ts), each problem printed as `file:line:col: path: message`.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { agentNameOfFile } from '../../protocol/agent-file.js';
import { discoverExecutors } from '../discovery/discover-executors.js';
import { executorSearchDirs } from '../discovery/search-dirs.js';
import type { KnownNames } from '../workflow/check-job-fields.js';
import { workflowMermaid } from '../workflow/mermaid.js';
import { MAX_WORKFLOW_FILE_BYTES, readWorkflowFile } from '../workflow/read-workflow-file.js';
import { validateWorkflow, type ValidationResult, type WorkflowIssue } from '../workflow/validate-workflow.js';
import { makeStyle } from './style.js';
import { terminalText } from './terminal-text.js';

/** The extensions a workflows folder is read for. */
export const WORKFLOW_FILE_EXTENSIONS = ['.yaml', '.yml', '.json'];

export interface ValidateWorkflowOptions {
  json?: boolean;
  agentsDir?: string;
  workflowsDir?: string;
  checkExecutors?: boolean;
  executorsDir?: string[];
}

/** Read one file for the validator: its text, or why it cannot be read (too big, missing, a folder). */
function readText(file: string): { text: string } | { issue: WorkflowIssue } {
  const refuse = (message: string) => ({ issue: { path: '(file)', message, line: null, col: null } });
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return refuse('is not a file');
    if (stat.size > MAX_WORKFLOW_FILE_BYTES) return refuse(`is larger than ${MAX_WORKFLOW_FILE_BYTES} bytes`);
    return { text: readFileSync(file, 'utf8') };
  } catch (error) {
    return refuse(`cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The workflow name a file declares (either form), or null. */
function declaredName(text: string): string | null {
  const read = readWorkflowFile(text);
  if (!read.ok) return null;
  const doc = read.document;
  const seed = doc.workflow;
  const name = typeof seed === 'object' && seed !== null ? (seed as Record<string, unknown>).name : doc.name;
  return typeof name === 'string' ? name : null;
}

function filesIn(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => WORKFLOW_FILE_EXTENSIONS.some((ext) => f.endsWith(ext)))
      .map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** The names to check, each only when its source is there: agents of an agents folder, workflows of a workflows folder, executors found here when asked. */
function knownNames(texts: readonly string[], options: ValidateWorkflowOptions): KnownNames {
  const known: KnownNames = {};
  const agentsDir = resolve(options.agentsDir ?? 'agents');
  if (options.agentsDir !== undefined || existsSync(agentsDir)) {
    known.agents = new Set(readdirSafe(agentsDir).flatMap((f) => agentNameOfFile(f) ?? []));
  }
  const workflowsDir = resolve(options.workflowsDir ?? 'workflows');
  if (options.workflowsDir !== undefined || existsSync(workflowsDir)) {
    const names = [...filesIn(workflowsDir).map((f) => readText(f)), ...texts.map((text) => ({ text }))].flatMap((r) => ('text' in r ? (declaredName(r.text) ?? []) : []));
    known.workflows = new Set(names);
  }
  if (options.checkExecutors) {
    known.executors = new Set(discoverExecutors(executorSearchDirs({ extraDirs: options.executorsDir ?? [] })).executors.map((e) => e.name));
  }
  return known;
}

function readdirSafe(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** `workflow validate FILE…`: exit 1 when any file has an issue. */
export function validateWorkflowsCommand(files: string[], options: ValidateWorkflowOptions): number {
  const reads = files.map((file) => ({ file, read: readText(file) }));
  const known = knownNames(reads.flatMap((r) => ('text' in r.read ? [r.read.text] : [])), options);
  const results = reads.map(({ file, read }): { file: string } & ValidationResult => ('text' in read ? { file, ...validateWorkflow(read.text, { file, known }) } : { file, def: null, issues: [read.issue] }));
  const bad = results.filter((r) => r.def === null).length;
  if (options.json) {
    const files = results.map((r) => (r.def !== null ? { file: r.file, ok: true, name: r.def.name, form: r.def.form, jobs: r.def.jobs.length } : { file: r.file, ok: false, issues: r.issues }));
    process.stdout.write(`${JSON.stringify({ files }, null, 2)}\n`);
    return bad === 0 ? 0 : 1;
  }
  const out = makeStyle(process.stdout);
  const err = makeStyle(process.stderr);
  for (const r of results) {
    const file = terminalText(r.file);
    if (r.def !== null) {
      process.stdout.write(`${out.green('✔')} ${file}: ${r.def.jobs.length} job${r.def.jobs.length === 1 ? '' : 's'} (${terminalText(r.def.name)}, ${r.def.form} form)\n`);
      continue;
    }
    for (const issue of r.issues) {
      const where = issue.line === null ? file : `${file}:${issue.line}:${issue.col}`;
      process.stderr.write(`${err.red(where)}: ${terminalText(issue.path)}: ${terminalText(issue.message)}\n`);
    }
  }
  if (bad > 0) process.stderr.write(`${bad} of ${results.length} file${results.length === 1 ? '' : 's'} refused\n`);
  return bad === 0 ? 0 : 1;
}

/** `workflow graph FILE`: the workflow as Mermaid text; a bad file prints its issues (exit 1). */
export function graphWorkflowCommand(file: string): number {
  const read = readText(file);
  const result = 'text' in read ? validateWorkflow(read.text, { file }) : { def: null, issues: [read.issue] };
  if (result.def === null) {
    for (const issue of result.issues) {
      process.stderr.write(`${terminalText(issue.line === null ? file : `${file}:${issue.line}:${issue.col}`)}: ${terminalText(issue.path)}: ${terminalText(issue.message)}\n`);
    }
    return 1;
  }
  process.stdout.write(workflowMermaid(result.def));
  return 0;
}
