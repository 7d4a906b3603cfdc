/** What a run asks of a runner, and the runners it must not be given to again. */
export interface RunRequirement {
  executor: string | null;
  tags: readonly string[];
  /** Runners whose executor failed this run with its own exit 75 (infra_failed): a retry goes elsewhere. */
  excluded_runners?: readonly string[] | undefined;
}

/** What a runner offers (its id, when known, is checked against the run's excluded runners). */
export interface RunnerOffer {
  id?: string | undefined;
  executors: readonly string[];
  tags: readonly string[];
}

/** Whether the runner has the executor asked for (if any) and every tag asked for, whatever it failed before. */
export function runnerMatches(run: RunRequirement, runner: RunnerOffer): boolean {
  if (run.executor !== null && !runner.executors.includes(run.executor)) return false;
  return run.tags.every((tag) => runner.tags.includes(tag));
}

/** Whether the runner may take the run: it matches and is not one the run was excluded from. */
export function runnerCanServe(run: RunRequirement, runner: RunnerOffer): boolean {
  if (runner.id !== undefined && run.excluded_runners?.includes(runner.id) === true) return false;
  return runnerMatches(run, runner);
}

/** One phrase saying what a run asked for, for placement errors: `executor "x" with tags [gpu]`. */
export function describeRequirement(run: RunRequirement): string {
  const executor = run.executor === null ? 'any executor' : `executor "${run.executor}"`;
  return run.tags.length === 0 ? executor : `${executor} with tags [${run.tags.join(', ')}]`;
}
