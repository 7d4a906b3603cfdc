import type { z } from 'zod';
import { frameSseComment, frameSseMessage } from '../events/sse-frame.js';
import { Nudge } from '../events/nudge.js';
import { sessionTopic, workflowTopic } from '../events/wake-hub.js';
import type { WorkflowRunViewSchema } from '../../protocol/workflows.js';
import type { CoordinatorContext } from './context.js';
import { renderWorkflowRun } from './render-workflow.js';

type View = z.input<typeof WorkflowRunViewSchema>;

/** What a follower must see again when it changes: the run's version, and each task's live status (a session started). */
function signature(view: View): string {
  return `${view.version}|${view.jobs.map((j) => `${j.status}:${j.tasks.map((t) => t.status).join(',')}`).join(';')}`;
}

/**
 * `GET /v1/workflow-runs/:id/events`: the run as `event: workflow` (the whole view) each time it changes,
 * then `event: end` once it ended. It listens to the run's changes (here and, over NOTIFY, other replicas')
 * and to the sessions of its tasks in flight, so a job that starts running shows without a workflow change;
 * views are read on the stream's pull, so a burst of changes makes one view.
 */
export function workflowRunStream(ctx: CoordinatorContext, id: string, first: View, signal: AbortSignal): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const nudge = new Nudge();
  let changed = false;
  let unsubscribe: () => void = () => undefined;
  const listen = (view: View) => {
    unsubscribe();
    const sessions = view.jobs.flatMap((j) => j.tasks.filter((t) => t.session_id !== null && (t.status === 'queued' || t.status === 'running')).map((t) => sessionTopic(t.session_id!)));
    unsubscribe = ctx.hub.subscribe([workflowTopic(id), ...sessions], () => {
      changed = true;
      nudge.wake();
    });
  };
  listen(first);
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
          const read = await ctx.store.readWorkflowRun(id);
          if (read === null) return controller.close();
          pending = renderWorkflowRun(read);
          listen(pending);
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
