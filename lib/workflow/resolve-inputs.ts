/**
 * The inputs of one workflow run: what the caller gave (the API's JSON, or the CLI's `--input k=v`
 * strings), checked against the workflow's declared inputs, with defaults filled in. Pure.
 */
import { didYouMean } from '../../protocol/did-you-mean.js';
import { inputValueProblem } from '../../protocol/workflow-file.js';
import type { WorkflowInputDef } from './model.js';

export type ResolvedInputs = { ok: true; inputs: Record<string, unknown> } | { ok: false; issues: Array<{ path: string; message: string }> };

/**
 * Check `given` against `declared`: no unknown names, every required one given, each value of its type;
 * a missing optional one takes its default (or null). With `fromText` (the CLI's `--input k=v`), a value
 * written as text is read as its type first: `3` for a number, `true`/`false` for a boolean, JSON for json.
 */
export function resolveInputs(declared: Readonly<Record<string, WorkflowInputDef>>, given: Readonly<Record<string, unknown>>, options: { fromText?: boolean } = {}): ResolvedInputs {
  const issues: Array<{ path: string; message: string }> = [];
  const inputs: Record<string, unknown> = {};
  for (const name of Object.keys(given)) {
    if (!Object.hasOwn(declared, name)) {
      const names = Object.keys(declared);
      issues.push({ path: `inputs.${name}`, message: names.length === 0 ? 'the workflow declares no inputs' : `unknown input${didYouMean(name, names)} (declared: ${names.join(', ')})` });
    }
  }
  for (const [name, def] of Object.entries(declared)) {
    if (!Object.hasOwn(given, name) || given[name] === undefined) {
      if (def.required && def.default === undefined) issues.push({ path: `inputs.${name}`, message: `is required (${def.type})` });
      else inputs[name] = def.default ?? null;
      continue;
    }
    let value: unknown = given[name];
    if (options.fromText === true && typeof value === 'string') {
      const read = readText(def.type, value);
      if (!read.ok) {
        issues.push({ path: `inputs.${name}`, message: read.message });
        continue;
      }
      value = read.value;
    }
    const problem = inputValueProblem(def.type, def.options ?? undefined, value);
    if (problem !== null) issues.push({ path: `inputs.${name}`, message: problem });
    else inputs[name] = value;
  }
  return issues.length === 0 ? { ok: true, inputs } : { ok: false, issues };
}

function readText(type: WorkflowInputDef['type'], text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  switch (type) {
    case 'number': {
      const n = Number(text);
      return text.trim() !== '' && Number.isFinite(n) ? { ok: true, value: n } : { ok: false, message: `"${text}" is not a number` };
    }
    case 'boolean':
      return text === 'true' || text === 'false' ? { ok: true, value: text === 'true' } : { ok: false, message: `"${text}" must be true or false` };
    case 'json':
      try {
        return { ok: true, value: JSON.parse(text) as unknown };
      } catch (error) {
        return { ok: false, message: `not JSON: ${(error as Error).message}` };
      }
    default:
      return { ok: true, value: text };
  }
}

/** Inputs that do not fit the declarations; `issues` names each input and what is wrong. */
export class WorkflowInputsError extends Error {
  override name = 'WorkflowInputsError';
  constructor(readonly issues: Array<{ path: string; message: string }>) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
  }
}

/** resolveInputs for callers that stop at the first refusal. @throws WorkflowInputsError naming every bad input. */
export function requireInputs(declared: Readonly<Record<string, WorkflowInputDef>>, given: Readonly<Record<string, unknown>>, options: { fromText?: boolean } = {}): Record<string, unknown> {
  const resolved = resolveInputs(declared, given, options);
  if (!resolved.ok) throw new WorkflowInputsError(resolved.issues);
  return resolved.inputs;
}
