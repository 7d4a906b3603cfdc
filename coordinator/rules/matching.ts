/** What a run asks of a runner. */
export interface RunRequirement {
  executor: string | null;
  tags: readonly string[];
}

/** What a runner offers. */
export interface RunnerOffer {
  executors: readonly string[];
  tags: readonly string[];
}

/** Whether the runner can serve the run: it has the executor asked for (if any) and every tag asked for. */
export function runnerCanServe(run: RunRequirement, runner: RunnerOffer): boolean {
  if (run.executor !== null && !runner.executors.includes(run.executor)) return false;
  return run.tags.every((tag) => runner.tags.includes(tag));
}

/** One phrase saying what a run asked for, for placement errors: `executor "x" with tags [gpu]`. */
export function describeRequirement(run: RunRequirement): string {
  const executor = run.executor === null ? 'any executor' : `executor "${run.executor}"`;
  return run.tags.length === 0 ? executor : `${executor} with tags [${run.tags.join(', ')}]`;
}
