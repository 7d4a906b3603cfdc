// What the workflow tests share: a coordinator in this process (SQLite or PostgreSQL, a workflows and an
// agents folder of the test's own) and a real runner daemon serving the scripted, shell and test executors;
// a client that starts workflow runs and follows them to their end over the SSE stream; the scripted
// executor's invocation log.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { UserApi } from '../../lib/client/user-api.js';
import type { StartWorkflowRun, WorkflowRunView } from '../../protocol/workflows.js';
import { type CoordinatorOptions } from '../../coordinator/start-coordinator.js';
import { startTestCoordinator, type StoreKind } from '../coordinator/helpers.js';
import type { RunnerKit } from '../runner/runner-kit.js';

/** One invocation of the scripted executor, as it logged it. */
export interface ScriptedCall {
  session_id: string;
  prompt: string;
  inputs: Record<string, unknown> | null;
  workflow: { workflow_run_id: string; job: string; task: string; attempt: number; matrix: Record<string, unknown> | null } | null;
  pid: number;
}

export interface WorkflowStack {
  url: string;
  api: UserApi;
  workflowsDir: string;
  agentsDir: string;
  /** A folder tests may write files into (wait_for markers, a project). */
  dir: string;
  log: string;
  calls(): ScriptedCall[];
  /** Write a workflow file into the folder and have the coordinator read it. */
  addWorkflow(file: string, text: string): Promise<void>;
  /** Write an agent blueprint into the folder and have the coordinator read it. */
  addAgent(name: string, doc: Record<string, unknown>): Promise<void>;
  /** Start a run and follow it to its end (the ended run, tasks included). */
  run(body: StartWorkflowRun): Promise<WorkflowRunView>;
  /** Follow a started run to its end. */
  follow(id: string): Promise<WorkflowRunView>;
  stop(): Promise<void>;
}

/** A coordinator (in this process) and one runner daemon (from `kit`), with their folders. */
export async function startWorkflowStack(kit: RunnerKit, kind: StoreKind, options: CoordinatorOptions & { concurrency?: number } = {}): Promise<WorkflowStack> {
  const dir = kit.tempDir();
  const workflowsDir = join(dir, 'workflows');
  const agentsDir = join(dir, 'agents');
  mkdirSync(workflowsDir);
  mkdirSync(agentsDir);
  const log = join(dir, 'scripted.log');
  const state = join(dir, 'scripted-state');
  mkdirSync(state);
  const { url, stop, coordinator } = await startTestCoordinator(kind, { workflowsDir, agentsDir, watchAgents: false, workflowRandom: () => 0, ...options });
  kit.afterCleanup(stop);
  await kit.daemon(['-c', url, '-x', 'scripted', '-x', 'shell', '-x', 'test-executor', '-n', String(options.concurrency ?? 8), '-p', dir], {
    SCRIPTED_LOG: log,
    SCRIPTED_STATE_DIR: state,
  });
  const api = new UserApi(url);
  const follow = async (id: string) => {
    const ac = new AbortController();
    for await (const view of api.followWorkflowRun(id, ac.signal)) void view;
    // The stream's views sum each job's tasks up: the whole run, tasks included, once it ended.
    return api.getWorkflowRun(id);
  };
  return {
    url,
    api,
    workflowsDir,
    agentsDir,
    dir,
    log,
    calls: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as ScriptedCall)
        : [],
    async addWorkflow(file, text) {
      writeFileSync(join(workflowsDir, file), text);
      const res = await fetch(`${url}/v1/workflows/reload`, { method: 'POST' });
      const body = (await res.json()) as { problems: { file: string; message: string }[] };
      const problem = body.problems.find((p) => p.file === file);
      if (problem !== undefined) throw new Error(`${file}: ${problem.message}`);
    },
    async addAgent(name, doc) {
      writeFileSync(join(agentsDir, `${name}.json`), JSON.stringify({ name, ...doc }));
      await fetch(`${url}/v1/agents/reload`, { method: 'POST' });
    },
    async run(body) {
      const started = await api.startWorkflowRun(body);
      return follow(started.workflow_run_id);
    },
    follow,
    async stop() {
      await api.close();
      void coordinator;
    },
  };
}

/** The job of a view, by id (throws when absent). */
export function job(view: WorkflowRunView, id: string) {
  const found = view.jobs.find((j) => j.id === id);
  if (found === undefined) throw new Error(`no job ${id} in ${view.jobs.map((j) => j.id).join(', ')}`);
  return found;
}
