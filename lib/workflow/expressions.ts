/**
 * Workflow expressions, `${{ … }}`: GitHub Actions' expression language, parsed and evaluated by GitHub's own
 * library (@actions/expressions), never by `eval`. This module is the one door to it: parse (with the
 * contexts and status functions a workflow has), find the `${{ }}` in a string, evaluate over plain JSON,
 * interpolate strings and objects, decide an `if:`.
 */
import { data, Evaluator, Lexer, Parser, type Expr } from '@actions/expressions';
import { ContextAccess, FunctionCall, IndexAccess, Literal, Star, type ExprVisitor } from '@actions/expressions/ast';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';
import type { JobResult } from '../../protocol/workflows.js';
import { fromData, toData } from './expression-data.js';

/** Every context a workflow expression may name; the validator narrows them per field. */
export const EXPRESSION_CONTEXTS = ['inputs', 'jobs', 'matrix', 'result', 'data', 'exit_code', 'stdout'] as const;
export type ExpressionContextName = (typeof EXPRESSION_CONTEXTS)[number];
/** The contexts of `if`, `prompt`, `with`, `run`, a gate and a matrix axis; `outputs` see the job's own result instead. */
export const JOB_CONTEXTS: readonly ExpressionContextName[] = ['inputs', 'jobs', 'matrix'];
export const OUTPUT_CONTEXTS: readonly ExpressionContextName[] = ['result', 'data', 'exit_code', 'stdout'];
/** The status functions of `if:` (GitHub's job-level semantics). */
export const STATUS_FUNCTIONS = ['success', 'failure', 'always', 'cancelled'] as const;

/** Longest expression parsed (GitHub's own cap is 21,000; ours leaves room for a template of many). */
export const MAX_EXPRESSION_CHARS = 10_000;
/** Most `${{ }}` one string may hold. */
export const MAX_TEMPLATE_EXPRESSIONS = 1_000;
/** Parsed expressions kept for reuse (a 1,000-way matrix evaluates the same few sources a thousand times). */
const PARSE_CACHE_SIZE = 2_000;

/** A context read with the literal keys that follow it: `jobs.build.outputs.x` → `{context: 'jobs', keys: ['build', 'outputs', 'x']}`. */
export interface ContextReference {
  context: string;
  keys: string[];
}

export interface ParsedExpression {
  source: string;
  expr: Expr;
  references: ContextReference[];
  /** The status functions it calls (lower case). */
  statusFunctions: string[];
}

export type ParseResult = { ok: true; expression: ParsedExpression } | { ok: false; message: string };

const statusInfos = STATUS_FUNCTIONS.map((name) => ({ name, minArgs: 0, maxArgs: 0 }));
const parseCache = new Map<string, ParsedExpression>();

/** Parse one expression (the text inside `${{ }}`, or a bare `if:`); never throws. */
export function parseExpression(source: string): ParseResult {
  const cached = parseCache.get(source);
  if (cached !== undefined) return { ok: true, expression: cached };
  if (source.length > MAX_EXPRESSION_CHARS) return { ok: false, message: `the expression is longer than ${MAX_EXPRESSION_CHARS} characters` };
  if (source.trim() === '') return { ok: false, message: 'the expression is empty' };
  let expr: Expr;
  try {
    const { tokens } = new Lexer(source).lex();
    expr = new Parser(tokens, [...EXPRESSION_CONTEXTS], statusInfos).parse();
  } catch (error) {
    return { ok: false, message: describeParseError((error as Error).message) };
  }
  const walk = new ReferenceWalk();
  expr.accept(walk);
  const expression: ParsedExpression = { source, expr, references: walk.references, statusFunctions: [...walk.statusFunctions] };
  if (parseCache.size >= PARSE_CACHE_SIZE) parseCache.delete(parseCache.keys().next().value!);
  parseCache.set(source, expression);
  return { ok: true, expression };
}

function describeParseError(message: string): string {
  const unknown = /^Unrecognized named-value: '([^']*)'/.exec(message);
  if (unknown !== null) {
    const name = unknown[1]!;
    const hint = name.toLowerCase() === 'needs' ? ' (GitHub\'s needs.ID is jobs.ID here)' : '';
    return `unknown context "${name}"${hint}: use ${JOB_CONTEXTS.join(', ')} (and ${OUTPUT_CONTEXTS.join(', ')} in outputs)`;
  }
  const fn = /^Unrecognized function: '([^']*)'/.exec(message);
  if (fn !== null) return `unknown function "${fn[1]}"`;
  return message.replace(/ within expression: [\s\S]*$/, '');
}

/** Collects context reads and status function calls by walking the parsed tree (bounded: the parser caps depth). */
class ReferenceWalk implements ExprVisitor<void> {
  references: ContextReference[] = [];
  statusFunctions = new Set<string>();
  visitLiteral(): void {}
  visitUnary(unary: { expr: Expr }): void {
    unary.expr.accept(this);
  }
  visitBinary(binary: { left: Expr; right: Expr }): void {
    binary.left.accept(this);
    binary.right.accept(this);
  }
  visitLogical(logical: { args: Expr[] }): void {
    for (const arg of logical.args) arg.accept(this);
  }
  visitGrouping(grouping: { group: Expr }): void {
    grouping.group.accept(this);
  }
  visitContextAccess(access: ContextAccess): void {
    this.references.push({ context: access.name.lexeme.toLowerCase(), keys: [] });
  }
  visitIndexAccess(access: IndexAccess): void {
    // Unwind `a.b['c'].d` to its context and the literal keys after it.
    const keys: string[] = [];
    let node: Expr = access;
    const inner: Expr[] = [];
    while (node instanceof IndexAccess) {
      const index = node.index;
      if (index instanceof Literal && index.literal.kind === data.Kind.String) keys.unshift(index.literal.coerceString());
      else {
        keys.length = 0;
        if (!(index instanceof Literal) && !(index instanceof Star)) inner.push(index);
      }
      node = node.expr;
    }
    for (const e of inner) e.accept(this);
    if (node instanceof ContextAccess) this.references.push({ context: node.name.lexeme.toLowerCase(), keys });
    else node.accept(this);
  }
  visitFunctionCall(call: FunctionCall): void {
    const name = call.functionName.lexeme.toLowerCase();
    if ((STATUS_FUNCTIONS as readonly string[]).includes(name)) this.statusFunctions.add(name);
    for (const arg of call.args) arg.accept(this);
  }
}

/** One piece of a string: text as written, or the source of a `${{ }}` (at `offset` in the string). */
export type TemplatePart = { kind: 'text'; text: string } | { kind: 'expression'; source: string; offset: number };

/**
 * Split a string into text and `${{ … }}` expressions. A `}}` inside a quoted string of the expression
 * ('…', with '' for a quote) does not end it. An unclosed `${{` is an error naming its offset.
 */
export function templateParts(str: string): { ok: true; parts: TemplatePart[] } | { ok: false; message: string; offset: number } {
  const parts: TemplatePart[] = [];
  let expressions = 0;
  let i = 0;
  while (i < str.length) {
    const open = str.indexOf('${{', i);
    if (open === -1) break;
    if (open > i) parts.push({ kind: 'text', text: str.slice(i, open) });
    let j = open + 3;
    let close = -1;
    while (j < str.length) {
      if (str[j] === "'") {
        j++;
        while (j < str.length && !(str[j] === "'" && str[j + 1] !== "'")) j += str[j] === "'" ? 2 : 1;
        j++;
      } else if (str[j] === '}' && str[j + 1] === '}') {
        close = j;
        break;
      } else j++;
    }
    if (close === -1) return { ok: false, message: `"\${{" at character ${open + 1} is never closed with "}}"`, offset: open };
    parts.push({ kind: 'expression', source: str.slice(open + 3, close).trim(), offset: open });
    if (++expressions > MAX_TEMPLATE_EXPRESSIONS) return { ok: false, message: `more than ${MAX_TEMPLATE_EXPRESSIONS} expressions in one string`, offset: open };
    i = close + 2;
  }
  if (i < str.length) parts.push({ kind: 'text', text: str.slice(i) });
  return { ok: true, parts };
}

/** The source of a string that is exactly one `${{ … }}` (spaces around allowed), else null. */
export function soleExpression(str: string): string | null {
  const split = templateParts(str);
  if (!split.ok) return null;
  const meaningful = split.parts.filter((p) => p.kind === 'expression' || p.text.trim() !== '');
  const only = meaningful.length === 1 ? meaningful[0] : undefined;
  return only?.kind === 'expression' ? only.source : null;
}

/** What an expression sees: plain JSON (`{inputs, jobs: {ID: {result, outcome, outputs}}, matrix}`, or a job's `{result, data, exit_code, stdout}`). */
export type ExpressionContext = Partial<Record<ExpressionContextName, unknown>>;

/** What the status functions answer for one job's `if:`. */
export interface JobStatusView {
  success(): boolean;
  failure(): boolean;
  cancelled(): boolean;
}

/**
 * GitHub's job-level status: success() when every needed job succeeded (a failure let through by
 * continue-on-error counts as success) and the run is not cancelled; failure() when any failed;
 * cancelled() when the run is being cancelled.
 */
export function jobStatusView(needResults: readonly JobResult[], runCancelled: boolean): JobStatusView {
  return {
    success: () => !runCancelled && needResults.every((r) => r === 'success'),
    failure: () => needResults.some((r) => r === 'failure'),
    cancelled: () => runCancelled,
  };
}

/** The status a job without needs sees, and what expressions outside `if:` see. */
export const NO_STATUS: JobStatusView = jobStatusView([], false);

/** An expression that parsed but failed to evaluate, or did not parse: the message names the expression. */
export class ExpressionProblem extends Error {}

/** Evaluate one expression over plain JSON; the result is plain JSON. @throws ExpressionProblem */
export function evaluateExpression(source: string, context: ExpressionContext, status: JobStatusView = NO_STATUS): unknown {
  return fromData(evaluateParsed(parsedOrThrow(source), context, status));
}

/**
 * Decide an `if:` (with or without `${{ }}`; true/false as written; null: `success()`). As in GitHub
 * Actions, a condition that calls no status function means `success() && (condition)`, so a failed job
 * skips its dependants unless they say `failure()` or `always()`. @throws ExpressionProblem
 */
export function evaluateCondition(condition: string | boolean | null, context: ExpressionContext, status: JobStatusView = NO_STATUS): boolean {
  if (condition === null) return status.success();
  if (typeof condition === 'boolean') return status.success() && condition;
  const source = soleExpression(condition) ?? condition;
  const parsed = parsedOrThrow(source);
  const value = truthy(evaluateParsed(parsed, context, status));
  return parsed.statusFunctions.length === 0 ? status.success() && value : value;
}

/**
 * Interpolate a string: one that is exactly one `${{ }}` gives the value itself (a number, a list, an
 * object); any other gives the string with each value rendered (null as nothing, objects and lists as JSON).
 * @throws ExpressionProblem
 */
export function interpolate(template: string, context: ExpressionContext, status: JobStatusView = NO_STATUS): unknown {
  const split = templateParts(template);
  if (!split.ok) throw new ExpressionProblem(split.message);
  const sole = soleExpression(template);
  if (sole !== null) return evaluateExpression(sole, context, status);
  if (split.parts.every((p) => p.kind === 'text')) return template;
  return split.parts.map((p) => (p.kind === 'text' ? p.text : renderValue(evaluateExpression(p.source, context, status)))).join('');
}

/** Interpolate every string inside a value (a job's `with`), keys untouched. @throws ExpressionProblem */
export function interpolateDeep(value: unknown, context: ExpressionContext, status: JobStatusView = NO_STATUS): unknown {
  if (typeof value === 'string') return interpolate(value, context, status);
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, context, status));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, context, status)]));
  return value;
}

/** A value as a string in a template: strings as they are, null as nothing, objects and lists as JSON. */
export function renderValue(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function parsedOrThrow(source: string): ParsedExpression {
  const parsed = parseExpression(source);
  if (!parsed.ok) throw new ExpressionProblem(`\${{ ${clip(source)} }}: ${parsed.message}`);
  return parsed.expression;
}

function evaluateParsed(parsed: ParsedExpression, context: ExpressionContext, status: JobStatusView): data.ExpressionData {
  const dictionary = new data.Dictionary();
  for (const name of EXPRESSION_CONTEXTS) dictionary.add(name, toData(context[name] ?? null));
  const fn = (name: string, answer: () => boolean): [string, FunctionDefinition] => [name, { name, minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(answer()) }];
  const functions = new Map([fn('success', status.success), fn('failure', status.failure), fn('cancelled', status.cancelled), fn('always', () => true)]);
  try {
    return new Evaluator(parsed.expr, dictionary, functions).evaluate();
  } catch (error) {
    throw new ExpressionProblem(`\${{ ${clip(parsed.source)} }}: ${(error as Error).message}`);
  }
}

const clip = (source: string) => (source.length > 80 ? `${source.slice(0, 77)}...` : source);
