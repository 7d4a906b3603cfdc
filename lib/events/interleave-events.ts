/**
 * Per-session event lists interleaved by the time each event was stored, each session's own order kept
 * (a k-way merge on `created_at`; ties go to the earlier list). Pure.
 */
export function interleaveEvents<E extends { created_at: string | number }>(lists: readonly E[][]): E[] {
  const time = (e: E) => (typeof e.created_at === 'number' ? e.created_at : Date.parse(e.created_at));
  const heads = lists.map(() => 0);
  const out: E[] = [];
  for (;;) {
    let pick = -1;
    for (let i = 0; i < lists.length; i++) {
      const e = lists[i]![heads[i]!];
      if (e !== undefined && (pick === -1 || time(e) < time(lists[pick]![heads[pick]!]!))) pick = i;
    }
    if (pick === -1) return out;
    out.push(lists[pick]![heads[pick]!++]!);
  }
}
