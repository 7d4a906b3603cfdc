import { describeEvent } from '../describe-event.js';
import { escapeSlack, truncate } from '../escape-markup.js';
import { type DeliveryInput, type OutgoingRequest, USER_AGENT } from './outgoing-request.js';

/** Slack's limit on a section block's text. */
const MAX_SECTION = 3_000;

/** A Slack incoming webhook message: `{text, blocks}`, every agent-written string escaped for mrkdwn. Pure. */
export function slackRequest(url: string, n: DeliveryInput): OutgoingRequest {
  const d = describeEvent(n.event, n.data);
  const fields = d.fields.map(([label, value]) => `*${label}:* ${escapeSlack(value)}`).join('\n');
  const choices = d.question === null ? '' : `\n*Choices:* ${d.question.choices.map((c, i) => `${i + 1}. ${escapeSlack(c.label)}`).join('  ')}`;
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: truncate(d.title, 150) } },
    { type: 'section', text: { type: 'mrkdwn', text: truncate(fields + choices || ' ', MAX_SECTION) } },
  ];
  if (d.body !== null) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: truncate(`\`\`\`${escapeSlack(d.body)}\`\`\``, MAX_SECTION) } });
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `agent-runner · ${n.event} · ${n.id}` }] });
  const text = truncate(`${d.title}: ${d.fields.map(([l, v]) => `${l} ${escapeSlack(v)}`).join(', ')}`, MAX_SECTION);
  return { url, headers: { 'content-type': 'application/json', 'user-agent': USER_AGENT }, body: JSON.stringify({ text, blocks }) };
}
