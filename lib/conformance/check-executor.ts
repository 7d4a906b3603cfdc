import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResolvedExecutor } from '../discovery/resolve-executor.js';
import type { Invocation } from '../../protocol/invocation.js';
import { SEED_INVOCATION } from '../invocation/seed-invocation.js';
import { runProbe, type Probe } from './run-probe.js';

export type CheckStatus = 'pass' | 'warn' | 'fail';

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  /** What was seen: the reason for a failure, the evidence for a pass. */
  detail: string;
}

/** How long one probe run may take before it is cancelled and counted as a failure. */
export const DEFAULT_PROBE_TIMEOUT_MS = 30_000;

export interface CheckLimits {
  /** SIGTERM → SIGKILL delay; the termination check fails when SIGKILL was needed. */
  graceMs: number;
  /** Per-run limit (DEFAULT_PROBE_TIMEOUT_MS). */
  timeoutMs: number;
  /** The operator's `--executor-env`, passed on top of the executor's declared `env`, as the runner would. */
  executorEnv?: readonly string[];
}

/** How long to wait before sending SIGTERM in the termination check (the executor is reading stdin). */
export const SIGTERM_PROBE_DELAY_MS = 200;

/** Malformed invocations every executor must reject with exit 2 and a reason on stderr. */
export const MALFORMED_INPUTS: Array<{ what: string; text: string }> = [
  { what: 'empty stdin', text: '' },
  { what: 'not JSON', text: 'this is not json\n' },
  { what: 'schema_version "9.9"', text: `${JSON.stringify({ ...SEED_INVOCATION, schema_version: '9.9' })}\n` },
  { what: 'mode "sideways"', text: `${JSON.stringify({ ...SEED_INVOCATION, mode: 'sideways' })}\n` },
  { what: 'no prompt', text: `${JSON.stringify({ schema_version: '2.0', mode: 'start', session_id: 'ses_abc123' })}\n` },
];

function summarizeEvents(probe: Probe): string {
  const types = [...new Set(probe.events.map((e) => e.type))].join(', ');
  return `${probe.events.length} event${probe.events.length === 1 ? '' : 's'}${types === '' ? '' : ` (${types})`}`;
}

/**
 * The conformance battery: run the executor as the runner would and check it keeps the contract of
 * docs/executors.md. Starts real processes in a temporary project folder, removed afterwards.
 */
export async function checkExecutor(executor: ResolvedExecutor, limits: CheckLimits): Promise<CheckResult[]> {
  const projectDir = mkdtempSync(join(tmpdir(), 'agent-runner-check-'));
  try {
    return await runChecks(executor, limits, projectDir);
  } finally {
    rmSync(projectDir, { recursive: true, force: true });
  }
}

async function runChecks(executor: ResolvedExecutor, limits: CheckLimits, projectDir: string): Promise<CheckResult[]> {
  const { graceMs } = limits;
  const results: CheckResult[] = [];
  const probes: Probe[] = [];
  const probe = async (invocation: Invocation, extra: { stdinText?: string; sigtermAfterMs?: number } = {}) => {
    const envAllow = [...executor.env, ...(limits.executorEnv ?? [])];
    const p = await runProbe({ executable: executor.path, invocation, cwd: projectDir, graceMs, timeoutMs: limits.timeoutMs, envAllow, ...extra });
    probes.push(p);
    return p;
  };
  const seed: Invocation = { ...SEED_INVOCATION, project_dir: projectDir };

  const start = await probe(seed);
  results.push(judgeStart(start, executor.capabilities.resume === true));

  // The resume goes to the same project_dir as the start, with what the start bound (as the runner does).
  const startBound = start.outcome.executor_session_id;
  const bound = startBound ?? SEED_INVOCATION.metadata.executor_session_id;
  const resume = await probe({ ...seed, mode: 'resume', prompt: 'Second turn', metadata: { ...seed.metadata, executor_session_id: bound } });
  const resumeSupported = executor.capabilities.resume !== false;
  if (resumeSupported) {
    results.push(judgeResume(resume, startBound));
  } else {
    const ok = resume.outcome.kind === 'rejected';
    results.push({
      id: 'handles-resume',
      title: 'handles resume',
      status: ok ? 'pass' : 'fail',
      detail: ok
        ? 'declares capabilities.resume false and rejects resume with exit 2'
        : `declares capabilities.resume false but ${resume.outcome.message} (expected exit 2)`,
    });
  }

  const misses: string[] = [];
  for (const input of MALFORMED_INPUTS) {
    const p = await probe(seed, { stdinText: input.text });
    if (p.outcome.kind !== 'rejected') misses.push(`${input.what}: ${p.outcome.message} (expected exit 2)`);
    else if (p.outcome.stderr_tail.trim() === '') misses.push(`${input.what}: exit 2 but nothing on stderr`);
  }
  results.push({
    id: 'rejects-malformed-invocation',
    title: 'rejects malformed invocations',
    status: misses.length === 0 ? 'pass' : 'fail',
    detail:
      misses.length === 0
        ? `${MALFORMED_INPUTS.length} of ${MALFORMED_INPUTS.length} rejected with exit 2 and a reason on stderr`
        : misses.join('; '),
  });

  const term = await probe(seed, { sigtermAfterMs: SIGTERM_PROBE_DELAY_MS });
  results.push(judgeSigterm(term, graceMs));

  const invalid = probes.flatMap((p) => p.invalidLines);
  const plain = probes.reduce((n, p) => n + p.plainLines, 0);
  const total = probes.reduce((n, p) => n + p.events.length, 0);
  results.push({
    id: 'emits-only-valid-events',
    title: 'emits only valid events',
    status: invalid.length > 0 ? 'fail' : plain > 0 ? 'warn' : 'pass',
    detail:
      invalid.length > 0
        ? `${invalid.length} invalid event line(s): ${invalid.slice(0, 3).join('; ')}`
        : plain > 0
          ? `${plain} plain-text stdout line(s): allowed, but they become log events; prefer {"type":"log"}`
          : `${total} events, all valid`,
  });

  const rateLimited = judgeRateLimits(probes);
  if (rateLimited !== undefined) results.push(rateLimited);

  const leaky = probes.filter((p) => p.outcome.left_processes_behind).length;
  results.push({
    id: 'leaves-no-process-behind',
    title: 'leaves no process behind',
    status: leaky === 0 ? 'pass' : 'fail',
    detail:
      leaky === 0
        ? `no process left behind in ${probes.length} runs`
        : `${leaky} of ${probes.length} runs left processes running after the executor exited; they were terminated`,
  });
  return results;
}

/** The start run exits 0; one of an executor whose executor.json claims `resume` must also report `bind`. */
function judgeStart(start: Probe, claimsResume: boolean): CheckResult {
  const base = { id: 'accepts-seed-payload', title: 'accepts the seed payload' };
  if (start.outcome.kind !== 'succeeded') return { ...base, status: 'fail', detail: `${start.outcome.message} (expected exit 0)` };
  const ran = `exit 0, ${summarizeEvents(start)}, ${start.outcome.duration_ms} ms`;
  if (claimsResume && start.outcome.executor_session_id === null) {
    return {
      ...base,
      status: 'fail',
      detail: `${ran}, but no bind event: executor.json claims capabilities.resume, and a resume can continue only the executor_session_id a bind reports`,
    };
  }
  if (start.outcome.result === null) return { ...base, status: 'warn', detail: `${ran}; no result event, so runs show no result` };
  return { ...base, status: 'pass', detail: ran };
}

/** A resume needs something to continue: the start's `bind`. Then it must exit 0; binding again is allowed. */
function judgeResume(resume: Probe, startBound: string | null): CheckResult {
  const base = { id: 'handles-resume', title: 'handles resume' };
  if (startBound === null) {
    return {
      ...base,
      status: 'fail',
      detail:
        'the start run reported no bind event, so there is no executor session to resume: report {"type":"bind","executor_session_id":…} ' +
        '(docs/executors.md), or declare "capabilities": {"resume": false} in executor.json and reject resume with exit 2',
    };
  }
  if (resume.outcome.kind !== 'succeeded') return { ...base, status: 'fail', detail: `${resume.outcome.message} (expected exit 0)` };
  const again = resume.outcome.executor_session_id;
  const next = again === null ? 'kept it (no bind)' : again === startBound ? 'bound it again' : `bound ${again} to continue next time`;
  return { ...base, status: 'pass', detail: `exit 0 resuming executor session ${startBound}, ${next}, ${summarizeEvents(resume)}` };
}

/**
 * A run that reported `rate_limited` ends with exit 75, so the coordinator parks it instead of failing it
 * (docs/executors.md). Only reported when a probe met a rate limit (an executor behind a real API may).
 */
function judgeRateLimits(probes: readonly Probe[]): CheckResult | undefined {
  const limited = probes.filter((p) => p.events.some((e) => e.type === 'rate_limited'));
  if (limited.length === 0) return undefined;
  const base = { id: 'rate-limit-exits-75', title: 'ends with exit 75 after a rate limit' };
  const wrong = limited.filter((p) => p.outcome.exit_code !== 75);
  if (wrong.length > 0) {
    return { ...base, status: 'fail', detail: `${wrong.length} run(s) reported rate_limited but ended ${wrong[0]!.outcome.message} (expected exit 75, so the run is parked, not failed)` };
  }
  return { ...base, status: 'pass', detail: `${limited.length} run(s) reported rate_limited and ended with exit 75` };
}

function judgeSigterm(term: Probe, graceMs: number): CheckResult {
  const base = { id: 'ends-on-sigterm', title: 'ends on SIGTERM within the grace period' };
  if (term.sigtermAtMs === undefined || term.outcome.kind !== 'cancelled') {
    return { ...base, status: 'warn', detail: `exited before SIGTERM was sent (${term.outcome.message}) without waiting for stdin to close` };
  }
  const after = Math.max(0, Math.round(term.outcome.duration_ms - term.sigtermAtMs));
  if (term.outcome.forcefully_killed) {
    return { ...base, status: 'fail', detail: `still running ${graceMs} ms after SIGTERM; it had to be killed with SIGKILL` };
  }
  return { ...base, status: 'pass', detail: `exited ${after} ms after SIGTERM (grace ${graceMs} ms)` };
}
