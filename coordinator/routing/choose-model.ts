/**
 * Choose a run's model: the routing file's rules in order, the first that matches wins; none matches: the
 * blueprint's own `models` (or `model`). Models parked as unavailable (rate limits) are left out of a list;
 * a rule whose every model is parked is passed over. Pure: the claim calls it once per run (≤ 1 ms per run
 * is the target, bench/coordinator-claim.bench.ts; a 20-rule file costs microseconds).
 */
import type { ModelChoice, RoutingMatch, RoutingRule } from '../../protocol/routing.js';

/** What a rule may match on, as the claim knows it. */
export interface RoutingFacts {
  agent: string | null;
  /** The run's tags (the agent's unless the session asked for others). */
  tags: readonly string[];
  /** The session's depth in its tree (a root is 0). */
  depth: number;
  /** The task kind the session was started with. */
  kind: string | null;
  /** The fraction of its tree's budget left, 0..1 (null: no budget applies). */
  budgetLeft: number | null;
}

/** A rule ready to match: its agent glob compiled once, when the file is read. */
export interface CompiledRule {
  index: number;
  rule: RoutingRule;
  agent: RegExp | null;
  kinds: ReadonlySet<string> | null;
}

/** The models a blueprint names: `models`, else `model` alone. */
export interface BlueprintModels {
  model?: unknown;
  models?: unknown;
}

const escapeRegExp = (text: string) => text.replace(/[.+^${}()|[\]\\-]/g, '\\$&');

/** An agent glob as a regular expression: `*` any run of characters, `?` one; anything else literal. */
export function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('').map((c) => (c === '*' ? '.*' : c === '?' ? '.' : escapeRegExp(c))).join('')}$`);
}

/** Compile a file's rules in order. */
export function compileRules(rules: readonly RoutingRule[]): CompiledRule[] {
  return rules.map((rule, index) => {
    const kind = rule.match?.kind;
    return {
      index,
      rule,
      agent: rule.match?.agent === undefined ? null : globToRegExp(rule.match.agent),
      kinds: kind === undefined ? null : new Set(typeof kind === 'string' ? [kind] : kind),
    };
  });
}

/** Why each condition of `match` holds for `facts`, or null when one does not. */
function conditionsHeld(compiled: CompiledRule, facts: RoutingFacts): string[] | null {
  const match: RoutingMatch = compiled.rule.match ?? {};
  const held: string[] = [];
  if (compiled.agent !== null) {
    if (facts.agent === null || !compiled.agent.test(facts.agent)) return null;
    held.push(`agent ${facts.agent} is ${match.agent}`);
  }
  if (match.tags !== undefined) {
    if (!match.tags.every((tag) => facts.tags.includes(tag))) return null;
    held.push(`tags include ${match.tags.join(', ')}`);
  }
  if (compiled.kinds !== null) {
    if (facts.kind === null || !compiled.kinds.has(facts.kind)) return null;
    held.push(`kind is ${facts.kind}`);
  }
  if (match.depth !== undefined) {
    const { min, max } = match.depth;
    if ((min !== undefined && facts.depth < min) || (max !== undefined && facts.depth > max)) return null;
    held.push(`depth ${facts.depth} is within ${min ?? 0}..${max ?? '∞'}`);
  }
  if (match.budget_left !== undefined) {
    const { below, at_least } = match.budget_left;
    const left = facts.budgetLeft;
    if (left === null || (below !== undefined && !(left < below)) || (at_least !== undefined && !(left >= at_least))) return null;
    held.push(`budget left ${round(left)}${below === undefined ? '' : ` is below ${below}`}${at_least === undefined ? '' : ` is at least ${at_least}`}`);
  }
  return held;
}

const round = (n: number) => Math.round(n * 1000) / 1000;

const ruleLabel = (c: CompiledRule) => `rule ${c.index}${c.rule.name === undefined ? '' : ` (${c.rule.name})`}`;

/** The blueprint's own ordered models (empty when it names none). */
export function blueprintModels(blueprint: BlueprintModels | null): string[] {
  if (blueprint === null) return [];
  if (Array.isArray(blueprint.models)) return blueprint.models.filter((m): m is string => typeof m === 'string');
  return typeof blueprint.model === 'string' ? [blueprint.model] : [];
}

/**
 * The model for a run with these facts: the first rule that matches and has a model not parked, else the
 * blueprint's own list (less the parked models; all parked: the list as it is, the first tried anyway).
 */
export function chooseModel(rules: readonly CompiledRule[], facts: RoutingFacts, blueprint: BlueprintModels | null, unavailable: ReadonlySet<string>): ModelChoice {
  const passedOver: string[] = [];
  for (const compiled of rules) {
    const held = conditionsHeld(compiled, facts);
    if (held === null) continue;
    const listed = compiled.rule.models ?? [compiled.rule.model!];
    const models = unavailable.size === 0 ? listed : listed.filter((m) => !unavailable.has(m));
    if (models.length === 0) {
      passedOver.push(`${ruleLabel(compiled)} matched but every model of it is unavailable`);
      continue;
    }
    const why = held.length === 0 ? 'it matches every run' : held.join(', ');
    return {
      model: models[0]!,
      models,
      rule: { index: compiled.index, name: compiled.rule.name ?? null, match: { ...compiled.rule.match } },
      reason: [...passedOver, `${ruleLabel(compiled)} matched: ${why}`].join('; '),
    };
  }
  const own = blueprintModels(blueprint);
  const head = passedOver.length === 0 ? (rules.length === 0 ? 'no routing rules' : 'no rule matched') : passedOver.join('; ');
  if (own.length === 0) return { model: null, models: [], rule: null, reason: `${head}; the blueprint names no model: the executor's default` };
  const available = unavailable.size === 0 ? own : own.filter((m) => !unavailable.has(m));
  if (available.length === 0) return { model: own[0]!, models: own, rule: null, reason: `${head}; every model of the blueprint is unavailable, kept in order` };
  return { model: available[0]!, models: available, rule: null, reason: `${head}; the blueprint's own` };
}
