import { setFlagsFromString } from 'node:v8';

/**
 * Keep the runner daemon's young generation (V8's new space) at its initial size instead of letting it
 * grow to 16 MB per semi-space. Loading modules (the MCP SDK on the first MCP request above all) makes
 * most young objects survive, which tells V8 to grow new space, and the pages it touched stay resident:
 * measured on the runner bench, idle RSS 70 → 66 MB and after the first MCP tool call 86 → 76 MB (its
 * cost in CPU per run was within the noise of a busy host; re-measure on a quiet one). The growth factor, unlike the semi-space maximum, is read each time
 * V8 considers growing, so it can still be set after start-up. Skipped when the operator tunes the
 * young generation through NODE_OPTIONS or node's own flags.
 */
export function capYoungGeneration(execArgv: readonly string[] = process.execArgv, env: NodeJS.ProcessEnv = process.env): boolean {
  if (youngGenerationTuned(execArgv, env)) return false;
  setFlagsFromString('--semi-space-growth-factor=1');
  return true;
}

/** How much V8's young generation grows at a time in a command that starts, answers and exits (V8's default: 2). */
export const COMMAND_SEMI_SPACE_GROWTH_FACTOR = 16;

/**
 * The opposite, for client commands (`sessions list`, `show`…): let the young generation grow to its
 * maximum in one step instead of doubling from 1 MB. Loading a command's modules (zod, its schemas, the
 * HTTP client) makes nearly every young object survive, so each scavenge of a small new space copies
 * almost all of it again: measured on `sessions list`, 8 scavenges and ~25 ms of GC → 3 and ~8 ms. A
 * command's RSS does not matter the way a daemon's does. Skipped when the operator tunes it.
 */
export function growYoungGenerationAtOnce(execArgv: readonly string[] = process.execArgv, env: NodeJS.ProcessEnv = process.env): boolean {
  if (youngGenerationTuned(execArgv, env)) return false;
  setFlagsFromString(`--semi-space-growth-factor=${COMMAND_SEMI_SPACE_GROWTH_FACTOR}`);
  return true;
}

function youngGenerationTuned(execArgv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  return operatorSetsV8Flag(/semi[-_]space/, execArgv, env);
}

/** Whether node's own flags or NODE_OPTIONS name a V8 flag matching `pattern` (the operator's choice stands over ours). */
export function operatorSetsV8Flag(pattern: RegExp, execArgv: readonly string[], env: NodeJS.ProcessEnv): boolean {
  return [...execArgv, env.NODE_OPTIONS ?? ''].some((arg) => pattern.test(arg));
}
