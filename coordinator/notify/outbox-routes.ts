import type { NotificationEvent } from '../../protocol/notifications.js';
import type { OutboxPlan, OutboxRoute } from '../store/outbox-plan.js';
import type { ResolvedNotifyConfig } from './notify-config.js';

/** Events about a runner, which the agent filter does not apply to. */
const NOT_SESSION_EVENTS: ReadonlySet<NotificationEvent> = new Set(['runner.offline']);

/**
 * The outbox plan of a config: per event, a row for each target that wants it, and for Telegram one per
 * allow-listed chat. Computed once; `routes` is a map lookup. Pure.
 */
export function outboxPlanOf(config: ResolvedNotifyConfig): OutboxPlan {
  const byEvent = new Map<NotificationEvent, OutboxRoute[]>();
  for (const target of config.targets) {
    for (const event of target.events) {
      const agents = NOT_SESSION_EVENTS.has(event) || target.agents === null ? null : [...target.agents];
      const recipients = target.type === 'telegram' ? target.chatIds : [null];
      const list = byEvent.get(event) ?? [];
      for (const recipient of recipients) list.push({ target: target.name, recipient, agents });
      byEvent.set(event, list);
    }
  }
  return { routes: (event) => byEvent.get(event) ?? [] };
}
