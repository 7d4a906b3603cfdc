// The peers bench's output: each system's figures (median of the reps), their ratios to bare spawn and
// to agent-runner's peer (median of the per-rep ratios: systems ran interleaved, so a rep's figures
// share the machine's load), and the issue's targets.
import { fmt } from '../coordinator-kit.js';
import { report } from '../lib/stats.js';
import { type BatchFigures, totalCpu } from './measure-batch.js';

/** Each system's name and its figures, one per rep, in rep order. */
export type Results = Map<string, BatchFigures[]>;

interface Figure {
  label: string;
  of: (f: BatchFigures) => number;
}

const cpuOf = (f: BatchFigures) => {
  const t = totalCpu(f.cpuPerRun);
  return t.ownMs + t.childrenMs;
};

const TIME: Figure = { label: 'time/run', of: (f) => f.timePerRunMs };
const CPU: Figure = { label: 'CPU/run', of: cpuOf };
const OWN_CPU: Figure = { label: 'CPU/run w/o exec', of: (f) => totalCpu(f.cpuPerRun).ownMs };
const P50: Figure = { label: 'p50', of: (f) => f.p50Ms };
const P99: Figure = { label: 'p99', of: (f) => f.p99Ms };
const FIGURES = [TIME, CPU, OWN_CPU, P50, P99];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const medianOf = (reps: readonly BatchFigures[], of: (f: BatchFigures) => number) => median(reps.map(of));

/** One rep's figures as a progress line. */
export function printRep(rep: number, name: string, f: BatchFigures): void {
  const cpu = totalCpu(f.cpuPerRun);
  console.log(
    `rep ${rep} ${name.padEnd(26)} ${fmt(f.timePerRunMs)} ms/run   CPU ${fmt(cpu.ownMs + cpu.childrenMs)} ms/run (${fmt(cpu.ownMs)} + executors ${fmt(cpu.childrenMs)})   p50 ${fmt(f.p50Ms, 0)} ms   p99 ${fmt(f.p99Ms, 0)} ms`,
  );
}

export function printSummary(results: Results, bare: string, peers: readonly { system: string; peer: string; targetVsPeer: number; targetVsBare: number }[]): void {
  const reps = [...results.values()][0]?.length ?? 0;
  console.log(`\nmedian of ${reps} reps, per run (CPU: every process of the system; "+ exec" the executors it spawned; cores: CPU / time, how`);
  console.log(`many cores the system kept busy (near the machine's count: bound by CPU; well under: by waits); client: this process submitting and waiting)`);
  console.log(`${'system'.padEnd(26)} ${'time/run'.padStart(9)} ${'CPU/run'.padStart(9)} ${'cores'.padStart(5)}  ${'parts'.padEnd(62)} ${'p50'.padStart(8)} ${'p99'.padStart(8)} ${'client'.padStart(8)}`);
  for (const [name, figures] of results) {
    const parts = [...(figures[0]?.cpuPerRun.keys() ?? [])]
      .map((part) => {
        const own = medianOf(figures, (f) => f.cpuPerRun.get(part)?.ownMs ?? 0);
        const exec = medianOf(figures, (f) => f.cpuPerRun.get(part)?.childrenMs ?? 0);
        return `${part} ${fmt(own)}${exec > 0 ? ` + exec ${fmt(exec)}` : ''}`;
      })
      .join(', ');
    const client = name === bare ? '—' : `${fmt(medianOf(figures, (f) => f.clientCpuPerRunMs))} ms`;
    console.log(
      `${name.padEnd(26)} ${`${fmt(medianOf(figures, TIME.of))} ms`.padStart(9)} ${`${fmt(medianOf(figures, CPU.of))} ms`.padStart(9)} ${fmt(medianOf(figures, (f) => cpuOf(f) / f.timePerRunMs)).padStart(5)}  ${parts.padEnd(62)} ${`${fmt(medianOf(figures, P50.of), 0)} ms`.padStart(8)} ${`${fmt(medianOf(figures, P99.of), 0)} ms`.padStart(8)} ${client.padStart(8)}`,
    );
  }

  const ratio = (name: string, to: string, figure: Figure) => {
    const per = results.get(name)!.map((f, rep) => figure.of(f) / figure.of(results.get(to)![rep]!));
    return { median: median(per), min: Math.min(...per), max: Math.max(...per) };
  };
  const ratioText = (r: { median: number; min: number; max: number }) => `${fmt(r.median)}× (${fmt(r.min)}–${fmt(r.max)})`;
  console.log(`\nratios, median of the per-rep ratios (range over the reps)`);
  console.log(`${''.padEnd(46)} ${FIGURES.map((f) => f.label.padStart(18)).join(' ')}`);
  const pairs: [string, string][] = [];
  for (const name of results.keys()) if (name !== bare) pairs.push([name, bare]);
  for (const { system, peer } of peers) if (results.has(system) && results.has(peer)) pairs.push([system, peer]);
  for (const [name, to] of pairs) console.log(`${`${name} / ${to}`.padEnd(46)} ${FIGURES.map((f) => ratioText(ratio(name, to, f)).padStart(18)).join(' ')}`);

  console.log('');
  const ms = (name: string) => fmt(medianOf(results.get(name)!, TIME.of));
  for (const { system, peer, targetVsPeer, targetVsBare } of peers) {
    if (!results.has(system)) continue;
    if (results.has(peer)) {
      const r = ratio(system, peer, TIME).median;
      report(`time per run, ${system} vs ${peer}`, `${fmt(r)}× (${ms(system)} vs ${ms(peer)} ms)`, { ok: r <= targetVsPeer, text: `≤ ${fmt(targetVsPeer, 1)}×` });
    } else {
      report(`time per run, ${system} vs ${peer}`, 'not measured (skipped above)');
    }
    const r = ratio(system, bare, TIME).median;
    report(`time per run, ${system} vs ${bare}`, `${fmt(r)}× (${ms(system)} vs ${ms(bare)} ms)`, { ok: r <= targetVsBare, text: `≤ ${fmt(targetVsBare, 1)}×` });
  }
}
