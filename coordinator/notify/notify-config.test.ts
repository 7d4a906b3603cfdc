import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadNotifyConfig, NotifyConfigError, parseNotifyConfig } from './notify-config.js';
import { outboxPlanOf } from './outbox-routes.js';

const dir = mkdtempSync(join(tmpdir(), 'notify-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const ENV = { SECRET: 'hunter2-secret', BOT: '1:bot-token', SLACK_URL: 'https://hooks.slack.test/services/T/B/sekrit' };

/** The error message of parsing `text` as `file`. */
function problem(text: string, file = 'notify.yaml'): string {
  try {
    parseNotifyConfig(text, file, ENV);
  } catch (error) {
    expect(error).toBeInstanceOf(NotifyConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a NotifyConfigError');
}

describe('notification config', () => {
  it('reads YAML and JSON, applies defaults, reads secrets from env and files', () => {
    const tokenFile = join(dir, 'bot-token');
    writeFileSync(tokenFile, `${ENV.BOT}\n`);
    const yaml = `
targets:
  - name: hook
    type: webhook
    url: https://example.test/hook
    secret: { env: SECRET }
    events: [session.ended, tree.ended]
  - name: slack
    type: slack
    url: { env: SLACK_URL }
    agents: [worker]
  - name: tg
    type: telegram
    bot_token: { file: ${tokenFile} }
    chat_ids: [42, "-1001"]
    timeout_ms: 500
    max_attempts: 2
`;
    const file = join(dir, 'notify.yaml');
    writeFileSync(file, yaml);
    const config = loadNotifyConfig(file, ENV);
    expect(config.targets.map((t) => [t.name, t.type, t.url])).toEqual([
      ['hook', 'webhook', 'https://example.test/hook'],
      ['slack', 'slack', ENV.SLACK_URL],
      ['tg', 'telegram', 'https://api.telegram.org'],
    ]);
    expect(config.targets[0]!.secret).toBe(ENV.SECRET);
    expect(config.targets[2]!.secret).toBe(ENV.BOT);
    expect(config.targets[2]!.chatIds).toEqual(['42', '-1001']);
    expect(config.targets[2]).toMatchObject({ timeoutMs: 500, maxAttempts: 2, concurrency: 4 });
    expect([...config.targets[1]!.events]).toHaveLength(6);
    expect(config.secrets).toEqual(expect.arrayContaining([ENV.SECRET, ENV.BOT, ENV.SLACK_URL, '/services/T/B/sekrit']));
    const json = join(dir, 'notify.json');
    writeFileSync(json, JSON.stringify({ targets: [{ name: 'h', type: 'webhook', url: 'http://127.0.0.1:1/x' }] }));
    expect(loadNotifyConfig(json, ENV).targets[0]!.secret).toBeNull();

    const plan = outboxPlanOf(config);
    expect(plan.routes('session.ended').map((r) => [r.target, r.recipient, r.agents])).toEqual([
      ['hook', null, null],
      ['slack', null, ['worker']],
      ['tg', '42', null],
      ['tg', '-1001', null],
    ]);
    // The agent filter does not apply to runner events.
    expect(plan.routes('runner.offline').find((r) => r.target === 'slack')!.agents).toBeNull();
    expect(plan.routes('question.asked').map((r) => r.target)).toEqual(['slack', 'tg', 'tg']);
  });

  it.each([
    ['a bad type', 'targets: [{name: a, type: pager, url: "https://x.test"}]', /targets\[0\]\.type|targets\[0\].*type must be one of webhook, slack, discord, telegram/],
    ['a missing url', 'targets: [{name: a, type: slack}]', /targets\[0\]\.url: is required/],
    ['an inline secret', 'targets: [{name: a, type: webhook, url: "https://x.test", secret: "hunter2"}]', /targets\[0\]\.secret: must be \{env: NAME\} or \{file: PATH\}/],
    ['an inline bot token', 'targets: [{name: a, type: telegram, bot_token: "1:abc", chat_ids: [1]}]', /targets\[0\]\.bot_token: must be \{env: NAME\}/],
    ['an unknown event', 'targets: [{name: a, type: webhook, url: "https://x.test", events: [session.started]}]', /targets\[0\]\.events\[0\]: must be one of question\.asked/],
    ['an unknown field', 'targets: [{name: a, type: webhook, url: "https://x.test", retries: 3}]', /targets\[0\].*retries/],
    ['a url that is not http', 'targets: [{name: a, type: discord, url: "file:///etc/passwd"}]', /targets\[0\]\.url/],
    ['no chat ids', 'targets: [{name: a, type: telegram, bot_token: {env: BOT}, chat_ids: []}]', /targets\[0\]\.chat_ids/],
    ['a bad chat id', 'targets: [{name: a, type: telegram, bot_token: {env: BOT}, chat_ids: ["x y"]}]', /targets\[0\]\.chat_ids\[0\]/],
    ['a duplicate name', 'targets: [{name: a, type: slack, url: "https://x.test"}, {name: a, type: slack, url: "https://y.test"}]', /targets\[1\]\.name: "a" is used by an earlier target/],
    ['no targets', 'targets: []', /targets: must list at least one target/],
    ['a bad timeout', 'targets: [{name: a, type: slack, url: "https://x.test", timeout_ms: -1}]', /targets\[0\]\.timeout_ms/],
    ['a hostile name', 'targets: [{name: "a\\u001b[2J", type: slack, url: "https://x.test"}]', /targets\[0\]\.name: must be 1-64 letters/],
    ['bad YAML', 'targets: [ {name: a', /notify\.yaml: not valid YAML/],
    ['not an object', '- 1\n- 2', /notify\.yaml: \(root\)/],
  ])('%s is refused naming the file and the field', (_, text, pattern) => {
    const message = problem(text);
    expect(message).toMatch(/^notification config notify\.yaml: /);
    expect(message).toMatch(pattern);
  });

  it('bad JSON, a missing variable, an unreadable or empty secret file, an unreadable config: each named', () => {
    expect(problem('{"targets": [', 'n.json')).toMatch(/^notification config n\.json: not valid JSON/);
    expect(problem('targets: [{name: a, type: webhook, url: "https://x.test", secret: {env: NOPE_NOT_SET}}]')).toMatch(/targets\[0\]\.secret: environment variable NOPE_NOT_SET is not set/);
    expect(problem(`targets: [{name: a, type: slack, url: {file: ${join(dir, 'missing')}}}]`)).toMatch(/targets\[0\]\.url: cannot read .*missing \(ENOENT\)/);
    const empty = join(dir, 'empty');
    writeFileSync(empty, '\n');
    expect(problem(`targets: [{name: a, type: webhook, url: "https://x.test", secret: {file: ${empty}}}]`)).toMatch(/targets\[0\]\.secret: .*empty is empty/);
    expect(problem('targets: [{name: a, type: slack, url: {env: SECRET}}]')).toMatch(/targets\[0\]\.url: the value read is not an http\(s\) URL/);
    expect(() => loadNotifyConfig(join(dir, 'nope.yaml'))).toThrow(/nope\.yaml: cannot read it \(ENOENT\)/);
  });

  it('never puts a secret value in an error', () => {
    const message = problem('targets: [{name: a, type: slack, url: {env: SECRET}}]');
    expect(message).not.toContain(ENV.SECRET);
  });
});
