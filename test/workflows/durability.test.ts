// A workflow is as durable as a session: `kill -9` of the coordinator in the middle of a 50-job workflow
// loses no job and starts none twice (advancing the graph is in the transaction of the run's end); two
// coordinator replicas on PostgreSQL advance one workflow run exactly once; a schedule fires once per slot
// with two replicas.
import { mkdirSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserApi } from '../../lib/client/user-api.js';
import type { WorkflowRunView } from '../../protocol/workflows.js';
import { eventually, freshDatabase } from '../coordinator/helpers.js';
import { freePort, useRunnerKit } from '../runner/runner-kit.js';
import type { ScriptedCall } from './workflow-kit.js';

/** Five layers of ten jobs, each needing every job of the layer before: 50 jobs, 410 edges. */
function layered(layers: number, width: number): string {
  const lines = ['name: layered', 'jobs:'];
  for (let l = 0; l < layers; l++) {
    for (let w = 0; w < width; w++) {
      lines.push(`  j${l}_${w}:`, '    executor: scripted', `    prompt: "job ${l}.${w}"`, `    with: {result_data: {n: ${l * width + w}}}`);
      if (l > 0) lines.push(`    needs: [${Array.from({ length: width }, (_, i) => `j${l - 1}_${i}`).join(', ')}]`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function readCalls(log: string): ScriptedCall[] {
  return existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as ScriptedCall) : [];
}

async function followToEnd(api: UserApi, id: string): Promise<WorkflowRunView> {
  const ac = new AbortController();
  let last: WorkflowRunView | null = null;
  for await (const view of api.followWorkflowRun(id, ac.signal)) last = view;
  return last!;
}

describe('workflow durability', { timeout: 240_000 }, () => {
  const kit = useRunnerKit();

  it('kill -9 of the coordinator in the middle of a 50-job workflow: after a restart it finishes, every job run exactly once', async () => {
    const dir = kit().tempDir();
    const workflows = join(dir, 'workflows');
    mkdirSync(workflows);
    writeFileSync(join(workflows, 'layered.yaml'), layered(5, 10));
    const port = await freePort();
    const args = ['--workflows-dir', workflows, '--lease', '60s'];
    const first = await kit().coordinator({ port, args });
    const log = join(dir, 'scripted.log');
    await kit().daemon(['-c', first.url, '-x', 'scripted', '-n', '4'], { SCRIPTED_LOG: log });
    const api = new UserApi(first.url);
    const started = await api.startWorkflowRun({ workflow: 'layered' });
    // Mid-way: some 20 jobs ran, some are in flight on the runner.
    await eventually(async () => readCalls(log).length >= 20, 60_000);
    await first.proc.stop('SIGKILL');
    const second = await kit().coordinator({ port, args, database: first.database });
    const api2 = new UserApi(second.url);
    const view = await followToEnd(api2, started.workflow_run_id);
    await api.close();
    await api2.close();
    expect(view.status).toBe('succeeded');
    expect(view.counts).toMatchObject({ total: 50, succeeded: 50 });
    const perTask = new Map<string, number>();
    for (const call of readCalls(log)) perTask.set(call.workflow!.task, (perTask.get(call.workflow!.task) ?? 0) + 1);
    expect(perTask.size).toBe(50);
    expect([...perTask.values()].every((n) => n === 1)).toBe(true);
    // Every job's session is a child of the root, each exactly once.
    const tree = (await (await fetch(`${second.url}/v1/sessions/${view.root_session_id}/tree`)).json()) as { root: { children: unknown[] } };
    expect(tree.root.children).toHaveLength(50);
  });

  it('two replicas on PostgreSQL advance one workflow run exactly once, each replica ending some of its runs', async () => {
    const db = await freshDatabase('postgres');
    kit().afterCleanup(db.drop);
    const dir = kit().tempDir();
    const workflows = join(dir, 'workflows');
    mkdirSync(workflows);
    writeFileSync(join(workflows, 'layered.yaml'), layered(4, 8));
    const args = ['--database-url', db.databaseUrl, ...(db.databaseSchema === undefined ? [] : ['--database-schema', db.databaseSchema]), '--workflows-dir', workflows];
    const a = await kit().coordinator({ args });
    const b = await kit().coordinator({ args });
    const log = join(dir, 'scripted.log');
    // One runner on each replica: each replica ends the runs of its runner, and advances the workflow from them.
    await kit().daemon(['-c', a.url, '-x', 'scripted', '-n', '4'], { SCRIPTED_LOG: log });
    await kit().daemon(['-c', b.url, '-x', 'scripted', '-n', '4'], { SCRIPTED_LOG: log });
    const api = new UserApi(a.url);
    const apiB = new UserApi(b.url);
    const started = await api.startWorkflowRun({ workflow: 'layered' });
    const [viewA, viewB] = await Promise.all([followToEnd(api, started.workflow_run_id), followToEnd(apiB, started.workflow_run_id)]);
    await api.close();
    await apiB.close();
    expect(viewA.status).toBe('succeeded');
    expect(viewB.version).toBe(viewA.version);
    expect(viewA.counts).toMatchObject({ total: 32, succeeded: 32 });
    const calls = readCalls(log);
    const perTask = new Map<string, number>();
    for (const call of calls) perTask.set(call.workflow!.task, (perTask.get(call.workflow!.task) ?? 0) + 1);
    expect(perTask.size).toBe(32);
    expect([...perTask.values()].every((n) => n === 1)).toBe(true);
    // Both runners (so both replicas) took part.
    expect(new Set(calls.map((c) => c.pid)).size).toBeGreaterThan(1);
  });

  it('a schedule fires once per slot with two replicas (PostgreSQL), and not for slots from before it was loaded', async () => {
    const db = await freshDatabase('postgres');
    kit().afterCleanup(db.drop);
    const dir = kit().tempDir();
    const workflows = join(dir, 'workflows');
    mkdirSync(workflows);
    // Every second: several slots pass while the test watches.
    writeFileSync(join(workflows, 'tick.yaml'), 'name: tick\non: {schedule: "* * * * * *"}\njobs:\n  t:\n    executor: scripted\n');
    const args = ['--database-url', db.databaseUrl, ...(db.databaseSchema === undefined ? [] : ['--database-schema', db.databaseSchema]), '--workflows-dir', workflows, '--sweep-interval', '100ms'];
    const a = await kit().coordinator({ args });
    const b = await kit().coordinator({ args });
    await kit().daemon(['-c', a.url, '-x', 'scripted', '-n', '4']);
    const api = new UserApi(a.url);
    const runs = await eventually(async () => {
      const page = await api.listWorkflowRuns({ name: 'tick', limit: 100 });
      return page.workflow_runs.length >= 4 ? page.workflow_runs : null;
    }, 60_000);
    await b.proc.stop('SIGTERM');
    await api.close();
    expect(runs.every((r) => r.trigger === 'schedule')).toBe(true);
    // One run per slot: the slots (whole seconds) of the runs are all different.
    const { Client } = await import('pg');
    const client = new Client({ connectionString: db.databaseUrl });
    await client.connect();
    try {
      if (db.databaseSchema !== undefined) await client.query(`SET search_path TO "${db.databaseSchema}"`);
      const slots = await client.query<{ slot: string; n: string }>('SELECT slot, COUNT(*) AS n FROM workflow_schedule_slots GROUP BY slot');
      expect(slots.rows.every((r) => Number(r.n) === 1)).toBe(true);
      const perSlot = await client.query<{ slot: string; runs: string }>(
        "SELECT s.slot, COUNT(w.id) AS runs FROM workflow_schedule_slots s LEFT JOIN workflow_runs w ON w.id = s.workflow_run_id WHERE s.name = 'tick' GROUP BY s.slot",
      );
      expect(perSlot.rows.every((r) => Number(r.runs) === 1)).toBe(true);
      const total = await client.query<{ n: string }>("SELECT COUNT(*) AS n FROM workflow_runs WHERE name = 'tick'");
      expect(Number(total.rows[0]!.n)).toBe(perSlot.rows.length);
      const since = await client.query<{ since: string }>("SELECT schedule_since AS since FROM workflows WHERE name = 'tick'");
      expect(perSlot.rows.every((r) => Number(r.slot) > Number(since.rows[0]!.since))).toBe(true);
    } finally {
      await client.end();
    }
  });
});
