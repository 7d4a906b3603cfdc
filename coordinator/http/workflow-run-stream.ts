import type { z } from 'zod';
import { frameSseComment, frameSseMessage } from '../events/sse-frame.js';
import { Nudge } from '../events/nudge.js';
import { sessionTopic, workflowTopic } from '../events/wake-hub.js';
import type { WorkflowRunViewSchema } from '../../protocol/workflows.js';
import type { WorkflowRunRead } from '../store/ops/read-workflow-runs.js';
import type { CoordinatorContext } from './context.js';
import { renderWorkflowRun } from './render-workflow.js';

type View = z.input<typeof WorkflowRunViewSchema>;

/** What a follower must see again when it changes: the run's version, and each task's live status (a session started). */
function signature(view: View): string {
  return `${view.version}|${view.jobs.map((j) => `${j.status}:${j.attempts}:${j.tasks.map((t) => t.status).join(',')}`).join(';')}`;
}

/** The sessions of a view's tasks in flight: listed, or (a view without tasks) as the read found them. */
function flyingSessions(view: View, read: WorkflowRunRead | null): string[] {
  if (read?.summaries) return [...read.summaries.values()].flatMap((s) => s.sessions);
  return view.jobs.flatMap((j) => j.tasks.filter((t) => t.session_id !== null && (t.status === 'queued' || t.status === 'running')).map((t) => t.session_id!));
}

/**
 * `GET /v1/workflow-runs/:id/events`: the run as `event: workflow` (the whole view, its tasks summed up per
 * job unless `?tasks=true`) each time it changes,
 * then `event: end` once it ended. It listens to the run's changes (here and, over NOTIFY, other replicas')
 * and to the sessions of its tasks in flight, so a job that starts running shows without a workflow change;
 * views are read on the stream's pull, so a burst of changes makes one view.
 */
export function workflowRunStream(ctx: CoordinatorContext, id: string, firstRead: WorkflowRunRead, withTasks: boolean, signal: AbortSignal): ReadableStream<Uint8Array> {
  const first = renderWorkflowRun(firstRead);
  const encoder = new TextEncoder();
  const nudge = new Nudge();
  let changed = false;
  let unsubscribe: () => void = () => undefined;
  const listen = (view: View, read: WorkflowRunRead | null) => {
    unsubscribe();
    const sessions = flyingSessions(view, read).map(sessionTopic);
    unsubscribe = ctx.hub.subscribe([workflowTopic(id), ...sessions], () => {
      changed = true;
      nudge.wake();
    });
  };
  listen(first, firstRead);
  signal.addEventListener('abort', () => (unsubscribe(), nudge.wake()), { once: true });
  let pending: View | null = first;
  let sent = '';
  let ended = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`retry: 1000\n${frameSseComment('connected')}`));
    },
    async pull(controller) {
      for (;;) {
        if (signal.aborted || ended) return controller.close();
        if (pending === null && changed) {
          changed = false;
          const read = await ctx.store.readWorkflowRun(id, { tasks: withTasks });
          if (read === null) return controller.close();
          pending = renderWorkflowRun(read);
          listen(pending, read);
        }
        if (pending !== null) {
          const view = pending;
          pending = null;
          const sig = signature(view);
          if (sig !== sent) {
            sent = sig;
            let text = frameSseMessage({ event: 'workflow', id: String(view.version), data: JSON.stringify(view) });
            if (view.status !== 'running') {
              ended = true;
              text += frameSseMessage({ event: 'end', data: JSON.stringify({ status: view.status }) });
            }
            return controller.enqueue(encoder.encode(text));
          }
          continue;
        }
        const woken = await nudge.wait(ctx.timings.sseKeepAliveMs);
        if (signal.aborted) return controller.close();
        if (woken) continue;
        // Quiet for a while: read once in case a wake-up went missing, and keep the connection alive.
        changed = true;
        return controller.enqueue(encoder.encode(frameSseComment('keep-alive')));
      }
    },
    cancel() {
      unsubscribe();
    },
  });
}
