import type { RunRequirement } from '../rules/matching.js';
import type { EventRecord } from '../types.js';

/**
 * What a committed change of the store means to someone waiting: the store announces it from the
 * transaction that made it, and the coordinator hears it once that transaction is committed (never
 * before, never for a rolled-back one). On PostgreSQL the same changes reach the other replicas over
 * LISTEN/NOTIFY, sent inside that transaction (no transaction of its own), without their events.
 */
export type StoreChange =
  /** A session's events were stored (SSE watchers send them); `events` are the rows, in order, when this process stored them. */
  | { kind: 'events'; session_id: string; events?: EventRecord[] }
  /**
   * A run became claimable (queued and available now, or at `at`: a workflow job's retry waiting out its
   * backoff): a parked long-poll that can serve it may take it.
   */
  | { kind: 'claimable'; requirement: RunRequirement; at?: number }
  /** A runner has something to be told on its long-poll (a stop request). */
  | { kind: 'runner'; runner_id: string }
  /** A session was created under a tree (tree event streams take it in). */
  | { kind: 'tree'; root_session_id: string }
  /** A workflow run or one of its jobs changed (its followers read it again). */
  | { kind: 'workflow'; workflow_run_id: string }
  /** A question or approval of a session was asked or closed (inboxes read again). */
  | { kind: 'question'; question_id: string; session_id: string };

/** Who hears committed changes. */
export type ChangeListener = (changes: readonly StoreChange[]) => void;

/** PostgreSQL's limit on a NOTIFY payload is 8,000 bytes; stay under it with room for the sender line. */
const MAX_PAYLOAD_BYTES = 7_000;

/** The run requirement as it travels: only what a receiver matches polls with. */
const requirementOf = (r: RunRequirement): RunRequirement => ({ executor: r.executor, tags: r.tags, excluded_runners: r.excluded_runners ?? [] });

/** Changes as NOTIFY payloads: the sender's id on the first line, then one JSON change a line (events left out). Pure. */
export function encodeChanges(sender: string, changes: readonly StoreChange[]): string[] {
  const payloads: string[] = [];
  let lines: string[] = [];
  let size = 0;
  for (const change of changes) {
    const wire =
      change.kind === 'events'
        ? { kind: change.kind, session_id: change.session_id }
        : change.kind === 'claimable'
          ? { kind: change.kind, requirement: requirementOf(change.requirement), ...(change.at === undefined ? {} : { at: change.at }) }
          : change;
    const line = JSON.stringify(wire);
    if (lines.length > 0 && size + line.length > MAX_PAYLOAD_BYTES) {
      payloads.push([sender, ...lines].join('\n'));
      lines = [];
      size = 0;
    }
    lines.push(line);
    size += line.length + 1;
  }
  if (lines.length > 0) payloads.push([sender, ...lines].join('\n'));
  return payloads;
}

/** A replica's NOTIFY that it is here (replica-presence.ts), with no change. Pure. */
export function presencePayload(sender: string): string {
  return `${sender}\n{"kind":"here"}`;
}

/**
 * The sender and changes of a NOTIFY payload, or null when this process sent it (it heard its own
 * changes when it committed them) or the payload is not one of ours. Lines that are not a change (a
 * presence line, anything unknown) are skipped. Pure.
 */
export function decodeChanges(self: string, payload: string): { sender: string; changes: StoreChange[] } | null {
  const [sender, ...lines] = payload.split('\n');
  if (sender === undefined || sender === '' || sender === self || lines.length === 0) return null;
  const changes: StoreChange[] = [];
  for (const line of lines) {
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    const change = value as Partial<Record<string, unknown>>;
    if (change.kind === 'events' && typeof change.session_id === 'string') changes.push({ kind: 'events', session_id: change.session_id });
    else if (change.kind === 'runner' && typeof change.runner_id === 'string') changes.push({ kind: 'runner', runner_id: change.runner_id });
    else if (change.kind === 'tree' && typeof change.root_session_id === 'string') changes.push({ kind: 'tree', root_session_id: change.root_session_id });
    else if (change.kind === 'workflow' && typeof change.workflow_run_id === 'string') changes.push({ kind: 'workflow', workflow_run_id: change.workflow_run_id });
    else if (change.kind === 'question' && typeof change.question_id === 'string' && typeof change.session_id === 'string') {
      changes.push({ kind: 'question', question_id: change.question_id, session_id: change.session_id });
    }
    else if (change.kind === 'claimable' && isRequirement(change.requirement)) {
      changes.push({ kind: 'claimable', requirement: change.requirement, ...(typeof change.at === 'number' && Number.isFinite(change.at) ? { at: change.at } : {}) });
    }
  }
  return { sender, changes };
}

function isRequirement(value: unknown): value is RunRequirement {
  const r = value as Partial<RunRequirement> | null;
  const strings = (list: unknown) => Array.isArray(list) && list.every((item) => typeof item === 'string');
  return typeof r === 'object' && r !== null && (r.executor === null || typeof r.executor === 'string') && strings(r.tags) && strings(r.excluded_runners ?? []);
}

/**
 * Collect one transaction's changes: events of the same session merge into one change (in order), and
 * the same runner or the same requirement is announced once.
 */
export class ChangeBuffer {
  readonly #changes: StoreChange[] = [];

  add(change: StoreChange): void {
    if (change.kind === 'events') {
      const same = this.#changes.find((c): c is Extract<StoreChange, { kind: 'events' }> => c.kind === 'events' && c.session_id === change.session_id);
      if (same !== undefined) {
        if (change.events !== undefined) same.events = [...(same.events ?? []), ...change.events];
        return;
      }
      this.#changes.push({ ...change, events: change.events === undefined ? undefined : [...change.events] });
      return;
    }
    if (change.kind === 'runner' && this.#changes.some((c) => c.kind === 'runner' && c.runner_id === change.runner_id)) return;
    this.#changes.push(change);
  }

  /** The changes collected, emptying the buffer. */
  take(): StoreChange[] {
    return this.#changes.splice(0, this.#changes.length);
  }

  get size(): number {
    return this.#changes.length;
  }
}
