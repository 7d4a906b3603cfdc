import { existsSync } from 'node:fs';
import { checkExecutor, DEFAULT_PROBE_TIMEOUT_MS, type CheckResult } from '../conformance/check-executor.js';
import { describeExecutorEnv, EXECUTOR_ENV_VAR, type ExecutorEnvReport } from '../process/executor-env.js';
import { DEFAULT_GRACE_MS } from '../process/terminate/graceful-kill.js';
import { resolveExecutorEnv } from '../runner/runner-config.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import { parseDuration } from '../../protocol/duration.js';
import { selectExecutor } from './select-executor.js';
import { makeStyle } from './style.js';
import { terminalText } from './terminal-text.js';

export interface CheckOptions {
  grace?: string;
  timeout?: string;
  json?: boolean;
  executorsDir?: string[];
  executorEnv?: string[];
}

/** `agent-runner executor check NAME|PATH`: run the conformance battery; exit 1 when a check fails. */
export async function checkCommand(target: string, options: CheckOptions): Promise<number> {
  const duration = (text: string | undefined, option: string, fallback: number) => {
    try {
      return text === undefined ? fallback : parseDuration(text, option);
    } catch (error) {
      throw new CliError((error as Error).message, EXIT_USAGE);
    }
  };
  const graceMs = duration(options.grace, '--grace', DEFAULT_GRACE_MS);
  const timeoutMs = duration(options.timeout, '--timeout', DEFAULT_PROBE_TIMEOUT_MS);
  const isPath = target.includes('/') || existsSync(target);
  let executorEnv: string[];
  try {
    executorEnv = resolveExecutorEnv(options.executorEnv);
  } catch (error) {
    throw new CliError((error as Error).message, EXIT_USAGE);
  }
  const executor = selectExecutor(isPath ? { executorPath: target } : { executor: target, executorsDir: options.executorsDir });
  const results = await checkExecutor(executor, { graceMs, timeoutMs, executorEnv });
  const environment = describeExecutorEnv(executor.env, executorEnv);
  const failed = results.filter((r) => r.status === 'fail').length;
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ executor: executor.name, path: executor.path, ok: failed === 0, environment, checks: results }, null, 2)}\n`);
  } else {
    process.stdout.write(renderChecks(executor.name, executor.path, results, environment));
  }
  return failed === 0 ? 0 : 1;
}

function renderChecks(name: string, path: string, results: CheckResult[], environment: ExecutorEnvReport): string {
  const style = makeStyle(process.stdout);
  const mark = { pass: style.green('✔'), warn: style.yellow('!'), fail: style.red('✘') };
  const width = Math.max(...results.map((r) => r.title.length));
  const safeName = terminalText(name);
  const lines = [style.bold(`executor check: ${safeName}`) + style.dim(`  ${terminalText(path)}`)];
  const list = (patterns: string[]) => (patterns.length === 0 ? '-' : patterns.join(', '));
  lines.push(style.bold('  environment (names only)'));
  lines.push(`    base          ${list(environment.base)}`);
  lines.push(`    declared      ${list(environment.declared)}  ${style.dim('(executor.json env)')}`);
  lines.push(`    operator      ${list(environment.operator)}  ${style.dim(`(--executor-env, ${EXECUTOR_ENV_VAR})`)}`);
  lines.push(`    set per run   ${list(environment.set_per_run)}`);
  lines.push(`    receives now  ${list(environment.names)}`);
  // Details quote what the executor printed: shown as text, never as terminal commands.
  for (const r of results) {
    const detail = terminalText(r.detail);
    lines.push(`  ${mark[r.status]} ${r.title.padEnd(width)}  ${r.status === 'fail' ? style.red(detail) : style.dim(detail)}`);
  }
  const failed = results.filter((r) => r.status === 'fail').length;
  const passed = results.length - failed;
  lines.push(failed === 0 ? style.green(`${safeName} keeps the contract: ${passed} of ${results.length} checks passed`) : style.red(`${safeName} breaks the contract: ${failed} of ${results.length} checks failed`));
  return `${lines.join('\n')}\n`;
}
