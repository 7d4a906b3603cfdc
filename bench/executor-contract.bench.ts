/**
 * Issue 2 figures: supervision overhead against a bare execa spawn of the same sh executor, stdout
 * event parsing throughput (in-process and through a real pipe), and `--executor-list` cold start.
 */
import { execa } from 'execa';
import { join } from 'node:path';
import { parseEventLine } from '../lib/events/parse-event-line.js';
import type { Invocation } from '../protocol/invocation.js';
import { spawnExecutor } from '../lib/process/spawn-executor.js';
import { packageRoot } from '../lib/package-root.js';
import { mean, ms, percentile, report } from './lib/stats.js';

const ROOT = packageRoot();
const SH_EXECUTOR = join(ROOT, 'executors', 'sh-echo', 'ao-sh-echo-exec');
const SPAWNS = 200;
const invocation: Invocation = { schema_version: '2.0', mode: 'start', session_id: 'ses_bench', prompt: 'hello', project_dir: ROOT };

async function bareSpawn(): Promise<number> {
  const start = performance.now();
  await execa(SH_EXECUTOR, [], { input: JSON.stringify(invocation), cwd: ROOT });
  return performance.now() - start;
}

async function supervisedSpawn(): Promise<number> {
  const start = performance.now();
  let events = 0;
  const child = spawnExecutor({ executable: SH_EXECUTOR, invocation, onEvent: () => (events += 1) });
  const outcome = await child.outcome;
  if (outcome.kind !== 'succeeded' || events !== 3) throw new Error(`unexpected run: ${outcome.message}, ${events} events`);
  return performance.now() - start;
}

async function spawnOverhead(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.all([bareSpawn(), supervisedSpawn()]); // warm up
  const bare: number[] = [];
  const ours: number[] = [];
  for (let i = 0; i < SPAWNS; i++) {
    // Alternate so drift on the machine hits both alike.
    bare.push(await bareSpawn());
    ours.push(await supervisedSpawn());
  }
  const ratio = percentile(ours, 50) / percentile(bare, 50);
  report(`bare execa spawn of sh-echo (n=${SPAWNS})`, `p50 ${ms(percentile(bare, 50))}  p99 ${ms(percentile(bare, 99))}`);
  report('spawnExecutor of sh-echo (events parsed)', `p50 ${ms(percentile(ours, 50))}  p99 ${ms(percentile(ours, 99))}`);
  report('supervision overhead (p50 ratio)', `${ratio.toFixed(3)}x  (mean ratio ${(mean(ours) / mean(bare)).toFixed(3)}x)`, {
    ok: ratio <= 1.3,
    text: '<= 1.3x',
  });
}

function parsingThroughput(): void {
  const samples = [
    { type: 'message', role: 'assistant', text: 'The quick brown fox jumps over the lazy dog. '.repeat(3) },
    { type: 'tool_call', id: 'toolu_01', name: 'Read', input: { file_path: '/src/index.ts', limit: 200 } },
    { type: 'tool_result', id: 'toolu_01', output: 'export const x = 1;\n'.repeat(5), is_error: false },
    { type: 'progress', message: 'step 3 of 7', percent: 42 },
    { type: 'usage', input_tokens: 1200, output_tokens: 340, cost_usd: 0.0123 },
  ].map((e) => JSON.stringify(e));
  const lines = Array.from({ length: 200_000 }, (_, i) => {
    const text = samples[i % samples.length]!;
    return { text, truncated: false, bytes: text.length };
  });
  for (let i = 0; i < 20_000; i++) parseEventLine(lines[i]!, 'stdout'); // warm up
  const start = performance.now();
  let valid = 0;
  for (const line of lines) if (parseEventLine(line, 'stdout')?.type !== 'log') valid += 1;
  const seconds = (performance.now() - start) / 1000;
  if (valid !== lines.length) throw new Error('bench lines did not all parse');
  const rate = lines.length / seconds;
  report('event parsing, in-process (200k mixed lines)', `${Math.round(rate).toLocaleString('en-US')} events/s`, {
    ok: rate >= 50_000,
    text: '>= 50,000/s',
  });
}

async function pipeThroughput(): Promise<void> {
  let events = 0;
  const start = performance.now();
  const child = spawnExecutor({
    executable: join(ROOT, 'test', 'fixtures', 'executors', 'flood', 'ao-flood-exec'),
    invocation,
    env: { ...process.env, FLOOD_MB: '50' },
    envAllow: ['FLOOD_MB'], // what flood's executor.json declares
    onEvent: () => (events += 1),
  });
  const outcome = await child.outcome;
  const seconds = (performance.now() - start) / 1000;
  if (outcome.kind !== 'succeeded') throw new Error(outcome.message);
  report('events through a real pipe (50 MB stdout)', `${Math.round(events / seconds).toLocaleString('en-US')} events/s, ${(50 / seconds).toFixed(0)} MB/s, ${events.toLocaleString('en-US')} events`);
}

async function coldStart(): Promise<void> {
  const bin = join(ROOT, 'bin', 'agent-runner');
  const times: number[] = [];
  for (let i = 0; i < 25; i++) {
    const start = performance.now();
    const result = await execa(process.execPath, [bin, '--executor-list'], { cwd: ROOT });
    times.push(performance.now() - start);
    if (!result.stdout.includes('test-executor')) throw new Error('unexpected --executor-list output');
  }
  const p50 = percentile(times, 50);
  report('--executor-list cold start (n=25, compiled)', `p50 ${ms(p50)}  p90 ${ms(percentile(times, 90))}`, { ok: p50 <= 300, text: '<= 300 ms' });
}

await spawnOverhead();
parsingThroughput();
await pipeThroughput();
await coldStart();
