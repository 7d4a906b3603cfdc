/**
 * Blueprint `approvals` for Claude Code: which tools' permission requests go to a person through the
 * coordinator (docs/claude-code.md, "Approvals"). Pure helpers: which tool names a list covers, and the
 * permission "ask" rules that make Claude Code ask for them even where an allow rule or the permission mode
 * would let them through.
 */

export { approvalListed } from '../../../protocol/questions.js';

/** The blueprint's `approvals` (protocol/questions.ts ApprovalsSchema), as this executor uses it. */
export interface ApprovalSettings {
  /** Tool names, exact (`Bash`) or ending in `*`, which matches every name that starts with the rest (`mcp__github__*`). */
  tools: string[];
  timeoutS?: number;
  onTimeout?: 'deny' | 'allow';
}

/**
 * The permission rules (`permissions.ask`) that make Claude Code ask before every call of a listed tool:
 * an exact name is its own rule; `mcp__<server>__*` is the rule for all of that server's tools. Other
 * patterns (`mcp__github__create_*`, `Ba*`) have no rule form: such tools reach the person only when Claude
 * Code would ask anyway.
 */
export function askRules(patterns: readonly string[]): string[] {
  const rules = new Set<string>();
  for (const pattern of patterns) {
    if (!pattern.includes('*')) rules.add(pattern);
    else {
      const server = /^mcp__([^*]+?)__\*$/.exec(pattern);
      if (server !== null && !server[1]!.includes('__')) rules.add(`mcp__${server[1]}`);
    }
  }
  return [...rules];
}
