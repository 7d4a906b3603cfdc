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
