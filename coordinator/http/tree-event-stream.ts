import { interleaveEvents } from '../../lib/events/interleave-events.js';
import { frameSseComment, frameSseMessage } from '../events/sse-frame.js';
import { Nudge } from '../events/nudge.js';
import { sessionTopic, treeTopic } from '../events/wake-hub.js';
import type { SubtreeMember } from '../store/store.js';
import type { EventRecord, SessionRecord } from '../types.js';
import type { CoordinatorContext } from './context.js';
import { renderEvent } from './render.js';

/** Events read per session per round. */
const PAGE = 500;

interface Member extends SubtreeMember {
  /** The last seq of this session sent. */
  last: number;
}

/**
 * The SSE body of `GET /v1/sessions/:id/events?tree=true`: every event of the subtree under `top`, from
 * the start, each tagged with its session's depth, agent and parent; sessions created under it while the
 * stream is open join it. Each session's events come in their order; sessions are interleaved by the time
 * their events were stored. Messages carry no `id`: a client that reconnects gets the tree from the start
 * again and drops the (session_id, seq) pairs it has.
 *
 * Pull-driven like the single-session stream: it listens to each member's topic and to the tree's topic
 * (a session created in it), reads the members that changed, and sends a keep-alive (after looking at
 * every member once more, in case a wake-up went missing) when nothing came for `sseKeepAliveMs`.
 */
export function treeEventStream(ctx: CoordinatorContext, top: SessionRecord, signal: AbortSignal) {
  const encoder = new TextEncoder();
  const members = new Map<string, Member>();
  const dirty = new Set<string>();
  const unsubscribes: Array<() => void> = [];
  let listMembers = true;
  const nudge = new Nudge();
  const wake = () => nudge.wake();
  const unsubscribeAll = () => {
    for (const u of unsubscribes.splice(0)) u();
  };
  unsubscribes.push(ctx.hub.subscribe([treeTopic(top.root_session_id)], () => ((listMembers = true), wake())));
  signal.addEventListener('abort', () => (unsubscribeAll(), wake()), { once: true });

  const join = (m: SubtreeMember) => {
    members.set(m.id, { ...m, last: 0 });
    dirty.add(m.id);
    unsubscribes.push(ctx.hub.subscribe([sessionTopic(m.id)], () => (dirty.add(m.id), wake())));
  };

  /** The next events to send: new members taken in, then what changed, read from the store. */
  const next = async (): Promise<EventRecord[]> => {
    if (listMembers) {
      listMembers = false;
      for (const m of await ctx.store.listSubtree(top)) if (!members.has(m.id)) join(m);
    }
    const ids = [...dirty];
    dirty.clear();
    const lists: EventRecord[][] = [];
    for (const id of ids) {
      const member = members.get(id);
      if (member === undefined) continue;
      const events = await ctx.store.listEvents(id, member.last, PAGE);
      if (events.length === PAGE) dirty.add(id); // a backlog: read on
      if (events.length > 0) lists.push(events);
    }
    return interleaveEvents(lists);
  };

  const frame = (events: readonly EventRecord[]): string => {
    let text = '';
    for (const e of events) {
      const m = members.get(e.session_id)!;
      if (e.seq <= m.last) continue;
      m.last = e.seq;
      text += frameSseMessage({ data: JSON.stringify({ ...renderEvent(e), depth: m.depth - top.depth, agent: m.agent, executor: m.executor, parent_session_id: m.parent_session_id }) });
    }
    return text;
  };

  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(`retry: 1000\n${frameSseComment('connected')}`));
    },
    async pull(controller) {
      for (;;) {
        if (signal.aborted) return controller.close();
        const text = frame(await next());
        if (text !== '') return controller.enqueue(encoder.encode(text));
        if (dirty.size > 0 || listMembers) continue;
        const woken = await nudge.wait(ctx.timings.sseKeepAliveMs);
        if (signal.aborted) return controller.close();
        if (woken) continue;
        listMembers = true;
        for (const id of members.keys()) dirty.add(id);
        return controller.enqueue(encoder.encode(frameSseComment('keep-alive')));
      }
    },
    cancel() {
      unsubscribeAll();
    },
  });
  return { body, close: unsubscribeAll };
}
