import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { BackoffPolicy } from '../../lib/retry/backoff.js';
import { formatFieldIssues, formatPath, toFieldIssues } from '../../protocol/field-issues.js';
import {
  NOTIFICATION_EVENTS,
  NOTIFY_DEFAULTS,
  NotifyConfigSchema,
  type NotificationEvent,
  type NotifyTarget,
  type SecretSource,
} from '../../protocol/notifications.js';

/** The environment variable that names the notification config when `--notify` is not given. */
export const NOTIFY_ENV = 'AGENT_COORDINATOR_NOTIFY';

/** A notification config that cannot be used: the message names the file, the field and the reason. */
export class NotifyConfigError extends Error {
  override name = 'NotifyConfigError';
}

/** A target with its secrets read and its defaults applied: what the delivery worker uses. */
export interface ResolvedTarget {
  name: string;
  type: NotifyTarget['type'];
  /** Where to POST (webhook, Slack, Discord), or the Bot API's base URL (Telegram). */
  url: string;
  /** The webhook's HMAC key, or the Telegram bot token. */
  secret: string | null;
  /** Telegram: the chats messages go to (and the only chats answers are accepted from). */
  chatIds: string[];
  parseMode: 'HTML' | 'MarkdownV2';
  events: ReadonlySet<NotificationEvent>;
  /** Session events only of these agents; null for all. */
  agents: ReadonlySet<string> | null;
  timeoutMs: number;
  maxAttempts: number;
  backoff: BackoffPolicy;
  concurrency: number;
}

/** The config as the coordinator runs it, and every secret value in it (redacted from errors before they are stored or logged). */
export interface ResolvedNotifyConfig {
  file: string;
  targets: ResolvedTarget[];
  secrets: string[];
}

/**
 * Read a notification config (JSON by `.json`, otherwise YAML, which also reads JSON), check it against the
 * one schema, and read its secrets from the environment or files. @throws NotifyConfigError naming the file,
 * the field and the reason (never a secret's value).
 */
export function loadNotifyConfig(file: string, env: NodeJS.ProcessEnv = process.env): ResolvedNotifyConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new NotifyConfigError(`notification config ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  return parseNotifyConfig(text, file, env);
}

/** loadNotifyConfig for text already read (`file` names it in errors and picks JSON or YAML). */
export function parseNotifyConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): ResolvedNotifyConfig {
  const raw = parseDocument(text, file);
  const parsed = NotifyConfigSchema.safeParse(raw);
  if (!parsed.success) throw new NotifyConfigError(`notification config ${file}: ${formatFieldIssues(toFieldIssues(parsed.error))}`);
  const secrets: string[] = [];
  const read = (source: SecretSource, path: (string | number)[]): string => {
    const value = readSecret(source, file, formatPath(path), env);
    secrets.push(value);
    return value;
  };
  const targets = parsed.data.targets.map((target, i): ResolvedTarget => {
    const at = (field: string) => ['targets', i, field];
    let url: string;
    if (target.type === 'telegram') url = target.base_url.replace(/\/+$/, '');
    else if (typeof target.url === 'string') url = target.url;
    else {
      url = read(target.url, at('url'));
      if (!/^https?:\/\/[^\s]+$/.test(url)) throw new NotifyConfigError(`notification config ${file}: ${formatPath(at('url'))}: the value read is not an http(s) URL`);
      // The path and query of a Slack or Discord webhook URL are its token.
      secrets.push(new URL(url).pathname, new URL(url).search);
    }
    const secret = target.type === 'webhook' ? (target.secret === undefined ? null : read(target.secret, at('secret'))) : target.type === 'telegram' ? read(target.bot_token, at('bot_token')) : null;
    const baseMs = target.backoff_base_ms ?? NOTIFY_DEFAULTS.backoff_base_ms;
    return {
      name: target.name,
      type: target.type,
      url,
      secret,
      chatIds: target.type === 'telegram' ? target.chat_ids.map(String) : [],
      parseMode: target.type === 'telegram' ? target.parse_mode : 'HTML',
      events: new Set(target.events ?? NOTIFICATION_EVENTS),
      agents: target.agents === undefined ? null : new Set(target.agents),
      timeoutMs: target.timeout_ms ?? NOTIFY_DEFAULTS.timeout_ms,
      maxAttempts: target.max_attempts ?? NOTIFY_DEFAULTS.max_attempts,
      backoff: { baseMs, maxMs: Math.max(baseMs, target.backoff_max_ms ?? NOTIFY_DEFAULTS.backoff_max_ms) },
      concurrency: target.concurrency ?? NOTIFY_DEFAULTS.concurrency,
    };
  });
  return { file, targets, secrets: secrets.filter((s) => s.length >= 4) };
}

function parseDocument(text: string, file: string): unknown {
  if (extname(file).toLowerCase() === '.json') {
    try {
      return JSON.parse(text) as unknown;
    } catch (error) {
      throw new NotifyConfigError(`notification config ${file}: not valid JSON: ${(error as Error).message}`);
    }
  }
  try {
    return parseYaml(text, { prettyErrors: true }) as unknown;
  } catch (error) {
    const message = error instanceof YAMLParseError ? error.message.split('\n')[0]!.replace(/:$/, '') : (error as Error).message;
    throw new NotifyConfigError(`notification config ${file}: not valid YAML: ${message}`);
  }
}

function readSecret(source: SecretSource, file: string, field: string, env: NodeJS.ProcessEnv): string {
  if ('env' in source) {
    const value = env[source.env];
    if (value === undefined || value.trim() === '') throw new NotifyConfigError(`notification config ${file}: ${field}: environment variable ${source.env} is not set`);
    return value.trim();
  }
  let value: string;
  try {
    value = readFileSync(source.file, 'utf8').trim();
  } catch (error) {
    throw new NotifyConfigError(`notification config ${file}: ${field}: cannot read ${source.file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (value === '') throw new NotifyConfigError(`notification config ${file}: ${field}: ${source.file} is empty`);
  return value;
}
