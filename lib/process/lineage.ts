/**
 * Whether a process can descend from an execution, told from its parents alone, so a search for the
 * execution's escaped processes reads the environment of only those that can.
 *
 * Whatever an execution starts descends from its leader (this process's child, started at `since`), and
 * all of it starts at or after `since`. Climbing a process's parents while they started at or after
 * `since`, the first parent that started before is, for a process of the execution, this process (the
 * leader's parent), or the subreaper or init that adopted it when its own parent exited: an ancestor of
 * the process that exited, so of this one. Any other parent there (another runner, its shell, a daemon)
 * means the process is not the execution's, mark or no mark.
 *
 * On a machine running many runners, a scan after an executor's exit otherwise read the environment of
 * every process the other runners started meanwhile.
 */

/** What the climb needs of a process: its parent and its start time (clock ticks after boot). */
export interface ParentLink {
  ppid: number;
  startTime: number;
}

/** Most parents climbed from one process; a longer chain is taken to be possibly the execution's. */
export const MAX_CLIMB = 64;

/** One search's verdicts, for the execution whose leader started at `since`. */
export class ExecutionLineage {
  readonly #since: number;
  readonly #ancestors: ReadonlySet<number>;
  readonly #link: (pid: number) => ParentLink | undefined;
  readonly #onForeign: ((pid: number) => void) | undefined;
  readonly #verdicts = new Map<number, boolean>();

  /**
   * @param ancestors this process and its ancestors (pids)
   * @param link reads a process's ParentLink (undefined when it is gone)
   * @param onForeign told each process found foreign (to keep the verdict for later searches: a process
   *   foreign to an execution is foreign to every one started after it)
   */
  constructor(since: number, ancestors: ReadonlySet<number>, link: (pid: number) => ParentLink | undefined, onForeign?: (pid: number) => void) {
    this.#since = since;
    this.#ancestors = ancestors;
    this.#link = link;
    this.#onForeign = onForeign;
  }

  /**
   * Whether process `pid` (whose own link is `own`) cannot descend from the execution. Anything uncertain (a
   * parent gone or unreadable, a parent younger than its child: a pid reused, a chain too long) says it can.
   */
  foreign(pid: number, own: ParentLink): boolean {
    const climbed: number[] = [];
    let verdict = false;
    let childPid = pid;
    let child: ParentLink = own;
    for (let hops = 0; hops < MAX_CLIMB; hops++) {
      const known = this.#verdicts.get(childPid);
      if (known !== undefined) {
        verdict = known;
        break;
      }
      if (child.startTime < this.#since) {
        // Reached only as a parent (the caller passes over processes that started before): the first one
        // that did. Its verdict holds for whatever climbs to it; it is not itself one of the execution's.
        verdict = !this.#ancestors.has(childPid);
        this.#verdicts.set(childPid, verdict);
        break;
      }
      climbed.push(childPid);
      const parent = child.ppid > 0 ? this.#link(child.ppid) : undefined;
      if (parent === undefined || parent.startTime > child.startTime) break;
      childPid = child.ppid;
      child = parent;
    }
    // A verdict found in the memo at once was told when it was climbed.
    for (const seen of climbed) {
      this.#verdicts.set(seen, verdict);
      if (verdict) this.#onForeign?.(seen);
    }
    return verdict;
  }
}
