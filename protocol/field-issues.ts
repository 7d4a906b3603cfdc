import type { z } from 'zod';

/** One rejected field: where it stands (dotted JSON path, `(root)` for the whole document) and why. */
export interface FieldIssue {
  path: string;
  message: string;
}

/** Render a JSON path like `agent_blueprint.mcp_servers.orchestrator.url` or `tags[2]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

/** Turn a zod error into issues that name each field and the reason, in a stable order. */
export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/** One line per issue: `field: reason`. */
export function formatFieldIssues(issues: readonly FieldIssue[]): string {
  return issues.map((i) => `${i.path}: ${i.message}`).join('; ');
}
