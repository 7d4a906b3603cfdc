/**
 * Notifications: the `--notify FILE` config (targets and the events each wants), the body a webhook
 * receives, and `GET /v1/notifications` (the outbox: recent deliveries and failures).
 */
import { z } from 'zod';
import './zod-config.js';

/** What a notification tells. `question.asked` and `approval.needed` are enqueued by questions (issue 15). */
export const NOTIFICATION_EVENTS = [
  'question.asked',
  'approval.needed',
  'session.ended',
  'tree.ended',
  'budget.exceeded',
  'runner.offline',
] as const;
export const NotificationEventSchema = z.enum(NOTIFICATION_EVENTS, { message: `must be one of ${NOTIFICATION_EVENTS.join(', ')}` });
export type NotificationEvent = z.infer<typeof NotificationEventSchema>;

export const TARGET_TYPES = ['webhook', 'slack', 'discord', 'telegram'] as const;

/** Where a secret comes from: an environment variable or a file (its content, trimmed). Never inline. */
export const SecretSourceSchema = z.union(
  [z.strictObject({ env: z.string().min(1, { message: 'must name a variable' }) }), z.strictObject({ file: z.string().min(1, { message: 'must name a file' }) })],
  { error: (issue) => (issue.input === undefined ? 'is required ({env: NAME} or {file: PATH})' : 'must be {env: NAME} or {file: PATH}: secrets are never written inline in the config') },
);
export type SecretSource = z.infer<typeof SecretSourceSchema>;

/** An http(s) URL. */
const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' });
/** A URL given inline, or (because Slack's and Discord's webhook URLs hold their token) from env or a file. */
const urlOrSecret = z.union([httpUrl, SecretSourceSchema], {
  error: (issue) => (issue.input === undefined ? 'is required (an http(s) URL)' : 'must be an http(s) URL, or {env: NAME} / {file: PATH} holding one'),
});

/** Defaults of a target's delivery. */
export const NOTIFY_DEFAULTS = {
  timeout_ms: 10_000,
  max_attempts: 8,
  backoff_base_ms: 1_000,
  backoff_max_ms: 300_000,
  concurrency: 4,
} as const;

const targetCommon = {
  name: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, { message: 'must be 1-64 letters, digits, ".", "_" or "-", starting with a letter or digit' }),
  /** The events this target wants (default: all). */
  events: z.array(NotificationEventSchema).min(1, { message: 'must list at least one event (leave it out for all)' }).optional(),
  /** Only session events (question, approval, session, tree, budget) of these agents. */
  agents: z.array(z.string().min(1)).min(1).optional(),
  timeout_ms: z.int().min(1).max(300_000).optional(),
  max_attempts: z.int().min(1).max(100).optional(),
  backoff_base_ms: z.int().min(1).max(3_600_000).optional(),
  backoff_max_ms: z.int().min(1).max(86_400_000).optional(),
  /** Deliveries in flight to this target at once, per coordinator. */
  concurrency: z.int().min(1).max(256).optional(),
};

export const WebhookTargetSchema = z.strictObject({
  ...targetCommon,
  type: z.literal('webhook'),
  url: urlOrSecret,
  /** The HMAC key of X-Agent-Runner-Signature (optional: unsigned without it). */
  secret: SecretSourceSchema.optional(),
});
export const SlackTargetSchema = z.strictObject({ ...targetCommon, type: z.literal('slack'), url: urlOrSecret });
export const DiscordTargetSchema = z.strictObject({ ...targetCommon, type: z.literal('discord'), url: urlOrSecret });
export const TelegramTargetSchema = z.strictObject({
  ...targetCommon,
  type: z.literal('telegram'),
  base_url: httpUrl.default('https://api.telegram.org'),
  bot_token: SecretSourceSchema,
  /** The chats messages go to, and the only chats whose answers are accepted. */
  chat_ids: z.array(z.union([z.int(), z.string().regex(/^(-?\d+|@[A-Za-z0-9_]{4,})$/, { message: 'must be a numeric chat id or @channelname' })])).min(1),
  parse_mode: z.enum(['HTML', 'MarkdownV2']).default('HTML'),
});

export const NotifyTargetSchema = z.discriminatedUnion('type', [WebhookTargetSchema, SlackTargetSchema, DiscordTargetSchema, TelegramTargetSchema], {
  message: `must be one of ${TARGET_TYPES.join(', ')}`,
});
export type NotifyTarget = z.infer<typeof NotifyTargetSchema>;

/** The notification config file (JSON or YAML). */
export const NotifyConfigSchema = z
  .strictObject({
    targets: z.array(NotifyTargetSchema).min(1, { message: 'must list at least one target' }),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.targets.forEach((target, i) => {
      if (seen.has(target.name)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'name'], message: `"${target.name}" is used by an earlier target` });
      seen.add(target.name);
    });
  });
export type NotifyConfig = z.infer<typeof NotifyConfigSchema>;

/** What a webhook receives (and what the outbox keeps as `payload`). */
export const NotificationBodySchema = z.strictObject({
  /** The delivery id, also sent as X-Agent-Runner-Delivery: the same on every retry (deduplicate by it). */
  id: z.string(),
  event: NotificationEventSchema,
  /** ISO 8601 time of what happened. */
  occurred_at: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type NotificationBody = z.infer<typeof NotificationBodySchema>;

export const NOTIFICATION_STATUSES = ['pending', 'delivered', 'failed'] as const;
export const NotificationStatusSchema = z.enum(NOTIFICATION_STATUSES, { message: `must be one of ${NOTIFICATION_STATUSES.join(', ')}` });

/** One row of the outbox, as `GET /v1/notifications` shows it (target by name: never its URL or secrets). */
export const NotificationViewSchema = z.strictObject({
  id: z.string(),
  target: z.string(),
  /** The Telegram chat it goes to; null for other targets. */
  recipient: z.string().nullable(),
  event: NotificationEventSchema,
  status: NotificationStatusSchema,
  attempts: z.int(),
  session_id: z.string().nullable(),
  last_error: z.string().nullable(),
  created_at: z.string(),
  next_attempt_at: z.string().nullable(),
  delivered_at: z.string().nullable(),
});
export type NotificationView = z.infer<typeof NotificationViewSchema>;

export const NotificationPageSchema = z.strictObject({
  notifications: z.array(NotificationViewSchema),
  /** Pass as `cursor` for the next (older) page; null when this is the last. */
  next_cursor: z.string().nullable(),
});
export type NotificationPage = z.infer<typeof NotificationPageSchema>;

export const MAX_NOTIFICATION_PAGE = 500;

export const NotificationsQuerySchema = z.strictObject({
  status: NotificationStatusSchema.optional(),
  limit: z.coerce.number({ message: 'must be a number' }).int({ message: 'must be a whole number' }).min(1).max(MAX_NOTIFICATION_PAGE).default(50),
  cursor: z.string().regex(/^\d{1,18}$/, { message: 'must be a cursor a previous page gave (next_cursor)' }).optional(),
});
