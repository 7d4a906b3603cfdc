import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { apiClient, eventually } from './helpers.js';
import { type SpawnedCoordinator, spawnCoordinator } from './spawn-coordinator.js';
import { startReceiver } from '../helpers/notify-receiver.js';

const BIN = fileURLToPath(new URL('../../bin/agent-coordinator', import.meta.url));
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'coord-notify-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('notifications through the real agent-coordinator process', () => {
  it('kill -9 while a delivery is in flight: after a restart the notification is delivered, once, with the same delivery id', async () => {
    const dir = tempDir();
    const hook = await startReceiver((_, i) => (i === 0 ? 'hang' : 200));
    cleanups.push(hook.close);
    writeFileSync(join(dir, 'secret'), 'whsec_process\n');
    const config = join(dir, 'notify.yaml');
    writeFileSync(config, `targets:\n  - name: hook\n    type: webhook\n    url: ${hook.url}/hook\n    secret: { file: ${join(dir, 'secret')} }\n    events: [session.ended]\n    timeout_ms: 1000\n`);
    const args = ['--database-url', join(dir, 'coordinator.db'), '--notify', config];
    const start = async () => {
      const c = await spawnCoordinator(args);
      cleanups.push(() => c.stop('SIGKILL'));
      return c;
    };
    const first: SpawnedCoordinator = await start();
    expect(first.stderr()).toContain('"targets":["hook"]');
    const api = apiClient(first.url);
    const created = await api('POST', '/v1/sessions', { executor: 'nobody', prompt: 'p' });
    expect((await api('POST', `/v1/sessions/${created.body.session_id}/stop`, {})).status).toBe(200);
    // The delivery is in flight (the target took the request and does not answer): kill -9 now.
    await hook.waitFor(1);
    await first.stop('SIGKILL');

    const second = await start();
    const api2 = apiClient(second.url);
    await hook.waitFor(2);
    const [row] = await eventually(async () => {
      const page = await api2('GET', '/v1/notifications');
      return page.body.notifications[0]?.status === 'delivered' ? page.body.notifications : null;
    });
    expect(row).toMatchObject({ target: 'hook', event: 'session.ended', status: 'delivered', attempts: 2, session_id: created.body.session_id });
    expect(hook.received).toHaveLength(2);
    expect(hook.received[1]!.headers['x-agent-runner-delivery']).toBe(hook.received[0]!.headers['x-agent-runner-delivery']);
    expect(hook.received[1]!.json.id).toBe(row.id);
    // Neither the log nor the API shows the secret.
    expect(first.stderr() + second.stderr()).not.toContain('whsec_process');
    await second.stop('SIGTERM');
  }, 60_000);

  it('refuses to start with a bad config, naming the file, the field and the reason (exit 2)', () => {
    const dir = tempDir();
    const cases: Array<[string, string, RegExp]> = [
      ['bad-type.yaml', 'targets: [{name: a, type: pager, url: "https://x.test"}]', /bad-type\.yaml: targets\[0\]\.type: must be one of/],
      ['inline.yaml', 'targets: [{name: a, type: webhook, url: "https://x.test", secret: "s3cr3t-inline"}]', /inline\.yaml: targets\[0\]\.secret: must be \{env: NAME\}/],
      ['event.json', '{"targets": [{"name": "a", "type": "slack", "url": "https://x.test", "events": ["nope"]}]}', /event\.json: targets\[0\]\.events\[0\]: must be one of/],
      ['broken.yaml', 'targets: [ {', /broken\.yaml: not valid YAML/],
    ];
    for (const [name, text, pattern] of cases) {
      writeFileSync(join(dir, name), text);
      const res = spawnSync(process.execPath, [BIN, '--port', '0', '--database-url', join(dir, 'c.db'), '--notify', join(dir, name)], {
        encoding: 'utf8',
        env: { ...process.env, VITEST: undefined },
        timeout: 30_000,
      });
      expect(res.status, name).toBe(2);
      expect(res.stderr, name).toMatch(pattern);
      expect(res.stderr).not.toContain('s3cr3t-inline');
    }
    // The variable works as the flag does.
    const res = spawnSync(process.execPath, [BIN, '--port', '0', '--database-url', join(dir, 'c.db')], {
      encoding: 'utf8',
      env: { ...process.env, VITEST: undefined, AGENT_COORDINATOR_NOTIFY: join(dir, 'missing.yaml') },
      timeout: 30_000,
    });
    expect(res.status).toBe(2);
    expect(res.stderr).toMatch(/missing\.yaml: cannot read it \(ENOENT\)/);
  });
});
