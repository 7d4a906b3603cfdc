import type { NotificationEvent } from '../../protocol/notifications.js';
import type { ButtonChoice } from './callback-data.js';

/** A notification as people read it, before a target's markup: every string is raw (agents' text unescaped). */
export interface EventDescription {
  title: string;
  /** Label and value pairs (session, agent, status, …), in order. */
  fields: Array<[string, string]>;
  /** Longer text: a question, an error, a tool call's input. */
  body: string | null;
  /** The question being answered by buttons, and its choices (Telegram buttons; listed as text elsewhere). */
  question: { id: string; choices: Array<{ label: string; choice: ButtonChoice }> } | null;
  /** Red, amber or green for targets with colours. */
  tone: 'bad' | 'attention' | 'good';
}

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);

/** The fields of `data` that are present, as label and value. */
function present(data: Record<string, unknown>, pairs: Array<[string, string]>): Array<[string, string]> {
  return pairs.flatMap(([label, key]) => {
    const value = str(data[key]);
    return value === null ? [] : [[label, value] as [string, string]];
  });
}

/** The JSON of a tool call's input, at most `max` characters. */
function inputText(input: unknown, max = 1_500): string {
  const text = typeof input === 'string' ? input : JSON.stringify(input, null, 2) ?? '';
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Describe an event for people. Pure. */
export function describeEvent(event: NotificationEvent, data: Record<string, unknown>): EventDescription {
  const session: Array<[string, string]> = [['Session', 'session_id'], ['Agent', 'agent'], ['Tree', 'root_session_id']];
  switch (event) {
    case 'session.ended': {
      const status = str(data.status) ?? 'ended';
      return {
        title: `Session ${status}`,
        fields: present(data, [...session, ['Status', 'status'], ['Run', 'run_id']]),
        body: str(data.error),
        question: null,
        tone: status === 'succeeded' ? 'good' : status === 'cancelled' ? 'attention' : 'bad',
      };
    }
    case 'tree.ended': {
      const status = str(data.status) ?? 'ended';
      return {
        title: `Tree ${status}`,
        fields: present(data, [['Root', 'root_session_id'], ['Agent', 'agent'], ['Status', 'status'], ['Sessions', 'sessions'], ['Cost (USD)', 'cost_usd']]),
        body: null,
        question: null,
        tone: status === 'succeeded' ? 'good' : status === 'cancelled' ? 'attention' : 'bad',
      };
    }
    case 'budget.exceeded': {
      const reason = data.stop_reason as Record<string, unknown> | null | undefined;
      return {
        title: 'Budget exceeded: tree stopped',
        fields: present({ ...data, limit: reason?.limit, spent: reason?.spent }, [...session, ['Limit', 'limit'], ['Spent', 'spent']]),
        body: reason === undefined || reason === null ? null : JSON.stringify(reason),
        question: null,
        tone: 'bad',
      };
    }
    case 'runner.offline':
      return {
        title: 'Runner offline',
        fields: present(data, [['Runner', 'runner_id'], ['Name', 'name'], ['Host', 'hostname'], ['Last seen', 'last_seen_at']]),
        body: null,
        question: null,
        tone: 'bad',
      };
    case 'question.asked': {
      const options = Array.isArray(data.options) ? data.options.map((o) => String(o)) : [];
      const id = str(data.question_id);
      return {
        title: 'Question from an agent',
        fields: present(data, [...session, ['Question id', 'question_id'], ['Urgency', 'urgency']]),
        body: [str(data.question), str(data.details)].filter((t) => t !== null).join('\n\n') || null,
        question: id === null || options.length === 0 ? null : { id, choices: options.map((label, index) => ({ label, choice: { kind: 'option', index } })) },
        tone: 'attention',
      };
    }
    case 'approval.needed': {
      const id = str(data.question_id);
      return {
        title: `Approval needed: ${str(data.tool) ?? 'a tool call'}`,
        fields: present(data, [...session, ['Tool', 'tool'], ['Question id', 'question_id']]),
        body: data.input === undefined ? str(data.question) : inputText(data.input),
        question: id === null ? null : { id, choices: [
          { label: 'Allow', choice: { kind: 'allow' } },
          { label: 'Deny', choice: { kind: 'deny' } },
          { label: 'Allow for this session', choice: { kind: 'always' } },
        ] },
        tone: 'attention',
      };
    }
  }
}
