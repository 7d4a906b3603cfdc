import type { SessionEvent } from '../../protocol/events.js';
import { exitCodeForRun } from '../../protocol/outcome.js';
import type { SessionTree } from '../../protocol/tree.js';
import { followTreeUntilQuiet } from '../client/follow-tree.js';
import type { Connection } from './connect-coordinator.js';
import { formatDuration } from './format-values.js';
import { renderSessionEvent } from './render-session-event.js';
import { renderTreeEvent, walkTree } from './render-tree.js';
import { isUnplaceable, renderWaiting, runCostUsd } from './run-ending.js';
import type { InterruptCause, RunInterrupts } from './run-interrupts.js';
import { Spinner } from './spinner.js';
import { canPrompt, QuestionPrompter } from './run-questions.js';
import { makeStyle, type Style } from './style.js';
import { terminalText } from './terminal-text.js';

/** The exit code of a command that was interrupted before the tree was quiet (as a cancelled run's). */
const EXIT_INTERRUPTED = 130;

/** After a run the in-process runner could not serve failed: where a runner for it can come from. */
export const EMBEDDED_PLACEMENT_HINT =
  'hint: without --coordinator-url this command\'s own runner is the only one (it serves the executors found here, with the tags of AGENT_RUNNER_TAGS); ' +
  'to run elsewhere, start `agent-runner --tags …` on a coordinator and pass --coordinator-url';

/** How the tree ended, in counts of its sessions by status (`2 idle, 1 failed`). */
function describeSessions(tree: SessionTree): string {
  const counts = new Map<string, number>();
  for (const node of walkTree(tree.root)) if (node !== tree.root) counts.set(node.status, (counts.get(node.status) ?? 0) + 1);
  const children = tree.root.descendants_count;
  if (children === 0) return '';
  const parts = [...counts].map(([status, n]) => `${n} ${status === 'idle' ? 'succeeded' : status}`);
  return ` · ${children} child session${children === 1 ? '' : 's'}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

/** From the root's creation to the last end in the tree, in ms (null when a time is missing). */
export function treeDurationMs(tree: SessionTree): number | null {
  let last = -Infinity;
  for (const node of walkTree(tree.root)) last = Math.max(last, node.ended_at === null ? NaN : Date.parse(node.ended_at));
  const ms = last - Date.parse(tree.root.created_at);
  return Number.isFinite(ms) ? Math.max(0, ms) : null;
}

/**
 * The closing line of `run` when it follows the tree: the root's latest run's outcome, the tree's duration
 * (from the root's creation until it was quiet), its sessions and its total cost
 * (`✔ succeeded in 12.4s · 3 child sessions (3 succeeded) · $0.0058`).
 */
export function renderTreeEnding(tree: SessionTree, run: { status: string; error: string | null; outcome: { message?: string | undefined } | null }, durationMs: number, succeeded: boolean, style: Style): string {
  const cost = runCostUsd({ usage: null, tree_totals: tree.root.tree_totals });
  const head = `${run.status.replace('_', ' ')} in ${formatDuration(durationMs)}${describeSessions(tree)}${cost === null ? '' : ` · $${cost.toFixed(4)}`}`;
  if (succeeded) return style.green(`✔ ${head}`);
  const reason = run.error ?? run.outcome?.message ?? '';
  const why = reason === '' || reason === run.status ? '' : `: ${terminalText(reason.replace(/\s+/g, ' ').trim())}`;
  return style.red(`✘ ${head}${why}`);
}

/**
 * `run`'s default: print every event of the session's tree as it comes (the root's lines as a single
 * session's, children's indented under it with their agent and short id), and return once the tree is
 * quiet: nothing queued or running under the root and no callback waiting, so a parent resumed with its
 * children's outcomes (callback mode) is followed to its end. The exit code follows the root's latest run.
 * The first interruption stops the root and, by the cascading stop, its tree; a second stops waiting.
 * On a terminal, a question or approval of the tree is asked inline (QuestionPrompter; Ctrl-C at its
 * prompt only leaves it unanswered).
 */
export async function streamTree(connection: Connection, interrupts: RunInterrupts, sessionId: string, runId: string, json: boolean): Promise<number> {
  const { api } = connection;
  const out = process.stdout;
  const write = (text: string) => void (interrupts.outputClosed || out.write(text));
  const say = (text: string) => void (interrupts.outputClosed || process.stderr.write(`${text}\n`));
  const style = makeStyle(out);
  const spinner = new Spinner(process.stderr, !json && process.stderr.isTTY === true);
  const started = Date.now();
  if (!json) write(style.bold(`▶ session ${sessionId}`) + style.dim(`  run ${runId}\n`));
  const { waiting } = await api.getSession(sessionId);
  let placement =
    isUnplaceable(waiting) && waiting.run_id === runId
      ? json ? `${JSON.stringify({ type: 'waiting', session_id: sessionId, run_id: runId, waiting })}\n` : `${renderWaiting(waiting, style)}\n`
      : undefined;
  spinner.start('waiting for a runner…');
  const following = new AbortController();
  const onInterrupt = (cause: InterruptCause, count: number) => {
    spinner.stop();
    if (count > 1) {
      say(connection.embedded ? 'cancelling this command\'s executors now…' : `no longer waiting; the coordinator goes on stopping ${sessionId}`);
      following.abort();
      return;
    }
    const why = cause === 'SIGINT' ? '' : `${cause}: `;
    say(`${why}stopping the session and its tree… (Ctrl-C again to stop waiting${connection.embedded ? ' and cancel at once' : ''})`);
    api.stopSession(sessionId).catch((error: Error) => {
      say(`could not stop ${sessionId}: ${terminalText(error.message)}`);
      following.abort();
    });
  };
  interrupts.handle(onInterrupt);
  /** Sessions of the tree with a run in flight, for the spinner's words. */
  const working = new Set<string>();
  // On a terminal, questions of the tree are asked right here (lib/cli/run-questions.ts).
  const prompter = canPrompt(json) ? new QuestionPrompter(api, write, style) : null;
  const print = (text: string) => (prompter === null ? write(text) : prompter.print(text));
  try {
    const onEvent = (record: SessionEvent) => {
      spinner.stop();
      if (json) write(`${JSON.stringify(record)}\n`);
      else print(`${renderTreeEvent(record, renderSessionEvent(record, style, { endReason: record.session_id !== sessionId }), style, { plainTop: true })}\n`);
      if (placement !== undefined && record.session_id === sessionId) print(placement), (placement = undefined);
      prompter?.offer(record);
      if (prompter?.prompting === true) return;
      if (record.type === 'run_status') {
        const status = record.event.status;
        if (status === 'running') working.add(record.session_id);
        else working.delete(record.session_id);
      }
      const more = working.size > 1 ? ` (${working.size} sessions)` : '';
      spinner.start(working.size === 0 ? 'waiting…' : `working…${more}`);
    };
    const tree = await followTreeUntilQuiet(api, sessionId, following.signal, { onEvent, query: { limit: 10_000 } });
    spinner.stop();
    await prompter?.close();
    if (tree === null) return EXIT_INTERRUPTED;
    const session = await api.getSession(sessionId);
    const run = await api.getRun(session.last_run_id);
    const code = exitCodeForRun(run.status, run.outcome?.kind);
    const durationMs = treeDurationMs(tree) ?? Date.now() - started;
    if (json) {
      const ending = {
        status: run.status, error: run.error, duration_ms: durationMs, outcome: run.outcome, result: session.result, usage: session.usage,
        last_run_id: run.run_id, sessions: tree.root.descendants_count + 1, totals: tree.root.totals, tree_totals: tree.root.tree_totals,
      };
      write(`${JSON.stringify({ type: 'outcome', session_id: sessionId, run_id: runId, ...ending })}\n`);
    } else {
      write(`${renderTreeEnding(tree, run, durationMs, code === 0, style)}\n`);
      if (code !== 0 && connection.embedded && run.claimed_at === null && run.status === 'failed') say(EMBEDDED_PLACEMENT_HINT);
    }
    return code;
  } finally {
    spinner.stop();
    await prompter?.close();
    interrupts.handle(undefined);
  }
}
