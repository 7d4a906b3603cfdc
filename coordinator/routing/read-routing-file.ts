/**
 * Read a routing file (`--routing FILE`, YAML or JSON) into compiled rules, or every problem of it as
 * `file:line:col: path: message` lines (the form `workflow validate` prints). Hostile input (huge files,
 * alias bombs, deep nesting, duplicate keys, NUL) is refused by the same reader as workflow files.
 */
import { didYouMean } from '../../protocol/did-you-mean.js';
import { formatPath } from '../../protocol/field-issues.js';
import { RoutingFileSchema } from '../../protocol/routing.js';
import { readWorkflowFile } from '../../lib/workflow/read-workflow-file.js';
import { compileRules, type CompiledRule } from './choose-model.js';

/** Every field name a routing file may use, for did-you-mean hints. */
const ROUTING_FIELDS = ['rules', 'name', 'match', 'model', 'models', 'agent', 'tags', 'kind', 'depth', 'budget_left', 'min', 'max', 'below', 'at_least'];

export type ReadRoutingResult = { ok: true; rules: CompiledRule[] } | { ok: false; problems: string[] };

const at = (file: string, line: number | null, col: number | null) => (line === null ? file : `${file}:${line}:${col ?? 1}`);

/** Parse and check a routing file's text; `file` names it in every problem. */
export function readRoutingFile(file: string, text: string): ReadRoutingResult {
  const read = readWorkflowFile(text);
  if (!read.ok) return { ok: false, problems: read.issues.map((issue) => `${at(file, issue.line, issue.col)}: (file): ${issue.message.replace('(a workflow)', '(with rules)')}`) };
  const parsed = RoutingFileSchema.safeParse(read.document);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => {
      const path = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
      // An unknown key is named and placed itself, with the field it was likely meant to be.
      const each = issue.code === 'unrecognized_keys' ? issue.keys.map((key) => ({ path: [...path, key], message: `unknown field${didYouMean(key, ROUTING_FIELDS)}` })) : [{ path, message: issue.message }];
      return each.map(({ path: p, message }) => {
        const where = read.locate(p);
        return { line: where?.line ?? null, col: where?.col ?? null, text: `${at(file, where?.line ?? null, where?.col ?? null)}: ${formatPath(p)}: ${message}` };
      });
    });
    problems.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity) || (a.col ?? 0) - (b.col ?? 0));
    return { ok: false, problems: problems.map((p) => p.text) };
  }
  return { ok: true, rules: compileRules(parsed.data.rules) };
}
