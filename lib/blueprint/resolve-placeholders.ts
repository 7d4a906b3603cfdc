import { formatPath } from '../../protocol/field-issues.js';

/**
 * Placeholders in blueprint strings, resolved by the runner just before a run starts:
 * `${runner.mcp_url}`, `${session.id}`, `${run.id}`, `${env.NAME}` (only for names the runner allows with
 * `--blueprint-env`), and the Schema 2.0-era `${AGENT_ORCHESTRATOR_MCP_URL}` and `${AGENT_SESSION_ID}`.
 * `$${` writes a literal `${`.
 */
export interface PlaceholderContext {
  runnerMcpUrl?: string | undefined;
  sessionId: string;
  runId?: string | undefined;
  /** Environment to read `${env.NAME}` from. */
  env: NodeJS.ProcessEnv;
  /** Names `${env.NAME}` may read; any other name is an error (secrets do not leak by accident). */
  allowedEnv: ReadonlySet<string>;
}

/** One placeholder that could not be resolved, where it stands, and why. */
export interface PlaceholderProblem {
  placeholder: string;
  path: string;
  reason: string;
}

export class PlaceholderError extends Error {
  override name = 'PlaceholderError';
  constructor(readonly problems: PlaceholderProblem[]) {
    super(problems.map((p) => `${p.path}: ${p.placeholder} ${p.reason}`).join('; '));
  }
}

const PLACEHOLDER = /\$?\$\{([^}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

type Lookup = { value: string } | { reason: string };

function lookup(expression: string, context: PlaceholderContext): Lookup {
  const key = expression.trim();
  switch (key) {
    case 'runner.mcp_url':
    case 'AGENT_ORCHESTRATOR_MCP_URL':
      return context.runnerMcpUrl === undefined
        ? { reason: 'cannot be resolved: this runner has no MCP endpoint' }
        : { value: context.runnerMcpUrl };
    case 'session.id':
    case 'AGENT_SESSION_ID':
      return { value: context.sessionId };
    case 'run.id':
      return context.runId === undefined ? { reason: 'cannot be resolved: there is no run' } : { value: context.runId };
  }
  if (key.startsWith('env.')) {
    const name = key.slice(4);
    if (!ENV_NAME.test(name)) return { reason: `names an invalid environment variable "${name}"` };
    if (!context.allowedEnv.has(name)) return { reason: `is not allowed (allow it with --blueprint-env ${name})` };
    const value = context.env[name];
    return value === undefined ? { reason: `cannot be resolved: ${name} is not set in the runner's environment` } : { value };
  }
  return {
    reason:
      'is not a known placeholder (known: ${runner.mcp_url}, ${session.id}, ${run.id}, ${env.NAME}, ' +
      '${AGENT_ORCHESTRATOR_MCP_URL}, ${AGENT_SESSION_ID}; write $${ for a literal ${)',
  };
}

function resolveString(text: string, path: PropertyKey[], context: PlaceholderContext, problems: PlaceholderProblem[]): string {
  if (!text.includes('${')) return text;
  return text.replace(PLACEHOLDER, (match: string, expression: string) => {
    if (match.startsWith('$$')) return match.slice(1);
    const found = lookup(expression, context);
    if ('value' in found) return found.value;
    problems.push({ placeholder: match, path: formatPath(path), reason: found.reason });
    return match;
  });
}

function walk(value: unknown, path: PropertyKey[], context: PlaceholderContext, problems: PlaceholderProblem[]): unknown {
  if (typeof value === 'string') return resolveString(value, path, context, problems);
  if (Array.isArray(value)) return value.map((item, i) => walk(item, [...path, i], context, problems));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = walk(item, [...path, key], context, problems);
    return out;
  }
  return value;
}

/**
 * Resolve every placeholder in every string of a blueprint (a copy; the input is not changed).
 * @param root the name the paths in errors start with, e.g. `agent_blueprint`.
 * @throws PlaceholderError naming each unknown or unresolvable placeholder and its JSON path.
 */
export function resolvePlaceholders<T>(blueprint: T, context: PlaceholderContext, root = 'agent_blueprint'): T {
  const problems: PlaceholderProblem[] = [];
  const resolved = walk(blueprint, [root], context, problems);
  if (problems.length > 0) throw new PlaceholderError(problems);
  return resolved as T;
}
