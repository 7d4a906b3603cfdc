/**
 * "Did you mean …?" for names a person typed: blueprint fields, agent names. The suggestion is the
 * known name closest by edit distance (insertions, deletions, substitutions and swaps of two neighbouring
 * letters, ignoring case), and only when it is close enough to be the same word mistyped.
 */

/** Most edits a suggestion may be away from what was typed. */
export const MAX_SUGGESTION_DISTANCE = 3;
/** Least share of the longer name that must survive the edits (0.5: `typo` never suggests `reviewer`). */
export const MIN_SUGGESTION_SIMILARITY = 0.5;

/** Edits between `a` and `b` (optimal string alignment: a swap of two neighbours is one edit). Pure. */
export function editDistance(a: string, b: string): number {
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) rows.push([i, ...Array<number>(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/**
 * The candidate closest to `typed`, if one is close enough to be a typo of it (the first of equally close
 * ones); `undefined` when none is, or when `typed` is itself a candidate. Pure.
 * @example closestName('exectuor', ['executor', 'model']) // 'executor'
 */
export function closestName(typed: string, candidates: Iterable<string>): string | undefined {
  // Names longer than this are not typos of a field or agent name (and would cost a large table).
  if (typed.length > 256) return undefined;
  const lower = typed.toLowerCase();
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    if (name === typed) return undefined;
    const distance = editDistance(lower, name.toLowerCase());
    const similarity = 1 - distance / Math.max(lower.length, name.length, 1);
    if (distance > MAX_SUGGESTION_DISTANCE || similarity < MIN_SUGGESTION_SIMILARITY) continue;
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  return best?.name;
}

/** ` (did you mean "x"?)` for the closest candidate, to append to a message; `''` when there is none. */
export function didYouMean(typed: string, candidates: Iterable<string>): string {
  const name = closestName(typed, candidates);
  return name === undefined ? '' : ` (did you mean "${name}"?)`;
}
