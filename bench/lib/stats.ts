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
  const cpu = os.cpus()[0];
  const speed = cpu !== undefined && cpu.speed > 0 ? ` at ${cpu.speed} MHz` : '';
  return `machine: ${cpu?.model.trim() ?? 'unknown CPU'}${speed}, ${os.availableParallelism()} cores, Node ${process.version}`;
}
