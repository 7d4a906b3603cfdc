import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { SessionView } from '../../protocol/sessions.js';
import { describeEvent, listEntry, summarizeSession } from './session-summary.js';
import { followRun, waitForSessionEnd } from '../client/follow-session.js';
import { isSessionEnded } from '../../protocol/statuses.js';
import { deadlineSignal } from './session-waits.js';
import { BudgetSchema } from '../../protocol/tree.js';
import { kindField } from '../../protocol/routing.js';
import type { ToolContext } from './tool-context.js';
import { DEFAULT_WAIT_S, MAX_TOOL_PROMPT_CHARS, MAX_WAIT_S, MAX_WAIT_SESSIONS } from './tool-limits.js';
import { guarded, toolResult, ToolError, type ToolExtra } from './tool-result.js';

const sessionId = z.string().min(1).max(200).describe('A session id, e.g. "ses_abc123".');
const prompt = z
  .string()
  .min(1, { message: 'prompt must not be empty' })
  .max(MAX_TOOL_PROMPT_CHARS, { message: `prompt is longer than ${MAX_TOOL_PROMPT_CHARS} characters; shorten it or pass a file path instead` });
const mode = z
  .enum(['sync', 'async', 'callback'])
  .default('sync')
  .describe(
    '"sync": wait for the child to finish and return its result (progress notifications while it runs, if you sent a progress token). ' +
      '"async": return the session id at once; use wait_for_agent_sessions or get_agent_session later. ' +
      '"callback": return at once; when the child ends, your session is resumed with a message carrying its outcome ' +
      '(outcomes of several children that end while you are busy arrive together in one message).',
  );
const waitS = z.number().min(0).max(MAX_WAIT_S);

/** The session with, when it failed or was cancelled, its latest run's error. */
async function describe(ctx: ToolContext, view: SessionView) {
  const error = view.status === 'failed' || view.status === 'cancelled' ? (view.last_run_id === null ? null : (await ctx.api.getRun(view.last_run_id)).error) : null;
  return summarizeSession(view, error);
}

/** Wait for run `runId` of `id` to end (streaming its events as progress when asked), then describe the session. */
async function awaitRun(ctx: ToolContext, id: string, runId: string, after: number, timeoutS: number, extra: ToolExtra) {
  const token = extra._meta?.progressToken;
  let sent = 0;
  let notifications = Promise.resolve();
  const deadline = deadlineSignal(timeoutS * 1000, extra.signal);
  let ended: boolean;
  try {
    ended = await followRun(ctx.streams, id, runId, after, deadline.signal, (event) => {
      if (token === undefined) return;
      const progress = ++sent;
      const params = { progressToken: token, progress, message: describeEvent(event) };
      notifications = notifications.then(() => extra.sendNotification({ method: 'notifications/progress', params }).catch(() => undefined));
    });
  } finally {
    deadline.clear();
  }
  await notifications;
  const view = await describe(ctx, await ctx.api.getSession(id));
  return ended ? view : { ...view, note: `still running after ${timeoutS} s; call wait_for_agent_sessions or get_agent_session later` };
}

/** start/resume/get/list/wait/stop: acting on the caller's child sessions. */
export function registerSessionTools(server: McpServer, ctx: ToolContext): void {
  server.registerTool(
    'start_agent_session',
    {
      description:
        'Start a child agent session with a prompt. Its parent is your session. Give an agent (see list_agents) or an executor; ' +
        'with neither, the child uses your own session\'s agent/executor. Returns the session id and, in sync mode, its status, result and usage.',
      inputSchema: {
        prompt: prompt.describe('What the child agent should do.'),
        agent: z.string().min(1).max(128).optional().describe('Name of an agent blueprint from list_agents.'),
        executor: z.string().min(1).max(128).optional().describe('Executor to run the child with, e.g. "claude-code".'),
        mode,
        tags: z.array(z.string().min(1).max(64)).max(64).optional().describe('Runner tags the child needs.'),
        project_dir: z.string().min(1).max(4096).optional().describe('Working directory of the child (default: yours).'),
        timeout_s: waitS.optional().describe(`sync only: how long to wait, in seconds (default ${DEFAULT_WAIT_S}).`),
        kind: kindField.optional().describe('What kind of task this is (e.g. "review"): the coordinator\'s routing rules may pick the child\'s model by it (see select_model).'),
        budget: BudgetSchema.optional().describe(
          'A budget of the child\'s own, for its subtree: usd, tokens, wall_s (stop it when passed), max_depth, max_children, max_sessions ' +
            '(refuse its children past them). Never more than what your tree has left (see get_agent_session of yourself, tree.budget_left).',
        ),
      },
    },
    guarded(async (args, extra, caller) => {
      let { agent, executor } = args;
      const me = await ctx.api.getSession(caller);
      if (agent === undefined && executor === undefined) {
        if (me.agent !== null) agent = me.agent;
        else if (me.executor !== null) executor = me.executor;
        else throw new ToolError('give an agent (see list_agents) or an executor');
      }
      // A relative folder is the child's place inside its parent's project folder.
      const projectDir = args.project_dir === undefined ? (me.project_dir ?? undefined) : me.project_dir === null ? args.project_dir : resolve(me.project_dir, args.project_dir);
      const created = await ctx.api.createSession({
        prompt: args.prompt,
        parent_session_id: caller,
        ...(agent === undefined ? {} : { agent }),
        ...(executor === undefined ? {} : { executor }),
        ...(args.tags === undefined ? {} : { tags: args.tags }),
        ...(projectDir === undefined ? {} : { project_dir: projectDir }),
        ...(args.mode === 'callback' ? { callback_session_id: caller } : {}),
        ...(args.budget === undefined ? {} : { budget: args.budget }),
        ...(args.kind === undefined ? {} : { kind: args.kind }),
      });
      ctx.scope.learn(created.session_id, caller);
      if (args.mode !== 'sync') return toolResult({ session_id: created.session_id, status: created.status, mode: args.mode });
      return toolResult(await awaitRun(ctx, created.session_id, created.run_id, 0, args.timeout_s ?? DEFAULT_WAIT_S, extra));
    }),
  );

  server.registerTool(
    'resume_agent_session',
    {
      description: 'Send a new prompt to one of your child sessions that has ended its turn (status idle or failed). Same modes as start_agent_session.',
      inputSchema: { session_id: sessionId, prompt: prompt.describe('The next message for the child.'), mode, timeout_s: waitS.optional().describe(`sync only: how long to wait, in seconds (default ${DEFAULT_WAIT_S}).`) },
    },
    guarded(async (args, extra, caller) => {
      const view = await ctx.scope.check(caller, args.session_id);
      if (args.session_id === caller) throw new ToolError('you cannot resume your own session; it is running now');
      const resumed = await ctx.api.resumeSession(args.session_id, args.prompt, args.mode === 'callback' ? { callback_session_id: caller } : {});
      if (args.mode !== 'sync') return toolResult({ session_id: resumed.session_id, status: resumed.status, mode: args.mode });
      return toolResult(await awaitRun(ctx, args.session_id, resumed.run_id, view.last_event_seq ?? 0, args.timeout_s ?? DEFAULT_WAIT_S, extra));
    }),
  );

  server.registerTool(
    'get_agent_session',
    {
      description:
        'Status, result and usage of your own session or one of its descendants, with its tree: usage of it and every session under it, ' +
        'and (when a budget applies) what is left to spend and how many more children, levels and sessions it may start.',
      inputSchema: { session_id: sessionId },
    },
    guarded(async (args, _extra, caller) => toolResult(await describe(ctx, await ctx.scope.check(caller, args.session_id)))),
  );

  server.registerTool(
    'list_agent_sessions',
    {
      description: 'The sessions you started, and the ones they started, newest first per level; optionally only those with one status.',
      inputSchema: { status: z.enum(['queued', 'running', 'idle', 'failed', 'cancelled']).optional().describe('Only sessions in this status.') },
    },
    guarded(async (args, _extra, caller) => {
      const { sessions, truncated } = await ctx.scope.descendants(caller);
      const kept = args.status === undefined ? sessions : sessions.filter((s) => s.status === args.status);
      return toolResult({ sessions: kept.map(listEntry), truncated });
    }),
  );

  server.registerTool(
    'wait_for_agent_sessions',
    {
      description:
        'Wait until all the given sessions (yours or your descendants) have ended their current run, or the timeout passes. Returns each one\'s state; ' +
        '`all_ended` says whether they all ended.',
      inputSchema: {
        session_ids: z.array(sessionId).min(1).max(MAX_WAIT_SESSIONS).describe(`1 to ${MAX_WAIT_SESSIONS} session ids.`),
        timeout_s: waitS.default(DEFAULT_WAIT_S).describe(`Longest wait, in seconds (default ${DEFAULT_WAIT_S}, at most ${MAX_WAIT_S}).`),
      },
    },
    guarded(async (args, extra, caller) => {
      const ids = [...new Set(args.session_ids)];
      if (ids.includes(caller)) throw new ToolError('you cannot wait for your own session; it ends when you finish');
      for (const id of ids) await ctx.scope.check(caller, id);
      const deadline = deadlineSignal(args.timeout_s * 1000, extra.signal);
      let views: SessionView[];
      try {
        views = await Promise.all(ids.map((id) => waitForSessionEnd(ctx.api, ctx.streams, id, deadline.signal)));
      } finally {
        deadline.clear();
      }
      const sessions = await Promise.all(views.map((v) => describe(ctx, v)));
      const allEnded = views.every((view) => isSessionEnded(view.status));
      return toolResult({ all_ended: allEnded, timed_out: !allEnded, sessions });
    }),
  );

  server.registerTool(
    'stop_agent_session',
    {
      description:
        'Stop one of your descendant sessions: cancels its run in flight (a no-op if it has ended), and the runs of the sessions it started, ' +
        'down the whole tree, unless cascade is false. When more_descendants is true, call it again to stop the rest.',
      inputSchema: { session_id: sessionId, cascade: z.boolean().default(true).describe('Also stop the sessions it started, and theirs (default true).') },
    },
    guarded(async (args, _extra, caller) => {
      await ctx.scope.check(caller, args.session_id);
      if (args.session_id === caller) throw new ToolError('you cannot stop your own session; finish your turn instead');
      const stopped = await ctx.api.stopSession(args.session_id, { cascade: args.cascade });
      return toolResult({
        session_id: stopped.session_id,
        status: stopped.status,
        run_status: stopped.run.status,
        stop_requested: stopped.run.status === 'claimed' || stopped.run.status === 'running',
        descendants_stopped: stopped.descendants.map((d) => d.session_id),
        more_descendants: stopped.more_descendants,
      });
    }),
  );
}
