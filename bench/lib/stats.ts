import os from 'node:os';
/** Percentile of a sample (nearest rank), in the sample's unit. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** One figure line: name, value, and how it stands against its target. */
export function report(name: string, value: string, target?: { ok: boolean; text: string }): void {
  const verdict = target === undefined ? '' : `   target ${target.text}: ${target.ok ? 'met' : 'MISSED'}`;
  console.log(`${name.padEnd(44)} ${value}${verdict}`);
}

export const ms = (n: number) => `${n.toFixed(2)} ms`;

/**
 * The machine a figure was measured on (CPU model, cores, Node): ratios to a bare spawn move with the
 * hardware (a process start cost 5.2 ms of wall time per run on one 2-core box, 0.9 ms on another), so a
 * note comparing figures names the machine of each.
 */
export function machineLine(): string {
  const cpus = cpusOf();
  return `machine: ${cpus.model}${cpus.mhz > 0 ? ` at ${cpus.mhz} MHz` : ''}, ${cpus.count} cores, Node ${process.version}`;
}

function cpusOf(): { model: string; mhz: number; count: number } {
  const list = os.cpus();
  return { model: list[0]?.model.trim() ?? 'unknown CPU', mhz: list[0]?.speed ?? 0, count: os.availableParallelism() };
}
