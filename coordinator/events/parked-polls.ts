import { type RunRequirement, runnerCanServe, type RunnerOffer } from '../rules/matching.js';

/** A runner's long-poll waiting for a run. */
export interface ParkedPoll {
  runner: RunnerOffer & { id: string };
  /** The poll only takes runs of some session trees (an embedded runner): it may take any run it matches. */
  limitedToTrees: boolean;
  /** Runs it claims at once (its `max`). */
  slots: number;
  /** Called once, when a run it can serve was offered to it (it is no longer parked then). */
  wake: (requirement: RunRequirement | null) => void;
  /**
   * It is claiming right now (parked first, so a run committed during its claim still reaches it): it is
   * offered a run only when no poll that is just waiting can take it.
   */
  claiming?: boolean;
}

/**
 * The long-polls parked on this coordinator. A run that becomes claimable wakes only as many of them as
 * can take it: the most recently parked poll that can serve it (a runner that just finished a run is
 * warm, and the others stay parked and cost nothing), or one already woken for an earlier run of the
 * same batch that still has a free slot. (Waking every parked poll for each run made 50 idle runners
 * cost 50 claim queries per run.)
 */
export class ParkedPolls {
  readonly #parked = new Set<ParkedPoll>();
  #woken = 0;

  /** Polls woken so far (the metric agent_coordinator_poll_wakeups_total). */
  get wakeups(): number {
    return this.#woken;
  }

  /** Park a poll; returns a function that takes it out again (it returns false if it was woken meanwhile). */
  park(poll: ParkedPoll): () => boolean {
    this.#parked.add(poll);
    return () => this.#parked.delete(poll);
  }

  /** The runners that have a poll parked here now. */
  runnerIds(): string[] {
    return [...new Set([...this.#parked].map((poll) => poll.runner.id))];
  }

  get size(): number {
    return this.#parked.size;
  }

  /**
   * Whether another runner's poll waits here that can take every run `runner` can: it offers all of its
   * executors and tags (and is not limited to some session trees). Such a poll takes a new run while
   * `runner` holds its own poll back.
   */
  coveredByOthers(runner: RunnerOffer & { id: string }): boolean {
    for (const poll of this.#parked) {
      if (poll.runner.id === runner.id || poll.limitedToTrees) continue;
      if (runner.executors.every((e) => poll.runner.executors.includes(e)) && runner.tags.every((t) => poll.runner.tags.includes(t))) return true;
    }
    return false;
  }

  /**
   * Wake polls for runs that became claimable, one requirement per run (null: any poll may take it,
   * e.g. the sweep's backstop). Returns how many polls were woken.
   */
  offer(requirements: readonly (RunRequirement | null)[]): number {
    const woken: Array<{ poll: ParkedPoll; free: number }> = [];
    for (const requirement of requirements) {
      const fits = (poll: ParkedPoll) => requirement === null || poll.limitedToTrees || runnerCanServe(requirement, poll.runner);
      const sharing = woken.find((w) => w.free > 0 && fits(w.poll));
      if (sharing !== undefined) {
        sharing.free--;
        continue;
      }
      let next: ParkedPoll | undefined;
      let busy: ParkedPoll | undefined;
      for (const poll of this.#parked) {
        if (!fits(poll)) continue;
        if (poll.claiming === true) busy = poll;
        else next = poll; // the last that fits: the most recent
      }
      next ??= busy;
      if (next === undefined) continue; // nobody here can take it now: a poll that comes will claim it
      this.#parked.delete(next);
      this.#woken++;
      woken.push({ poll: next, free: next.slots - 1 });
      next.wake(requirement);
    }
    return woken.length;
  }
}
