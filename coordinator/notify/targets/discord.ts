import { describeEvent } from '../describe-event.js';
import { escapeDiscord, truncate } from '../escape-markup.js';
import { type DeliveryInput, type OutgoingRequest, USER_AGENT } from './outgoing-request.js';

const COLOURS = { bad: 0xd9480f, attention: 0xf59f00, good: 0x2f9e44 } as const;

/**
 * A Discord webhook message: `{content, embeds}`, every agent-written string escaped for Discord markdown
 * and `allowed_mentions: {parse: []}`, so nothing an agent wrote pings anyone. Pure.
 */
export function discordRequest(url: string, n: DeliveryInput): OutgoingRequest {
  const d = describeEvent(n.event, n.data);
  const fields = d.fields.map(([name, value]) => ({ name, value: truncate(escapeDiscord(value), 1_024), inline: true }));
  if (d.question !== null) fields.push({ name: 'Choices', value: truncate(d.question.choices.map((c, i) => `${i + 1}. ${escapeDiscord(c.label)}`).join('\n'), 1_024), inline: false });
  const embed = {
    title: truncate(d.title, 256),
    description: d.body === null ? undefined : truncate(escapeDiscord(d.body), 4_000),
    color: COLOURS[d.tone],
    fields: fields.slice(0, 25),
    footer: { text: `agent-runner · ${n.event} · ${n.id}` },
    timestamp: new Date(n.occurredAt).toISOString(),
  };
  const body = { content: truncate(`**${d.title}**`, 2_000), embeds: [embed], allowed_mentions: { parse: [] } };
  return { url, headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT }, body: JSON.stringify(body) };
}
