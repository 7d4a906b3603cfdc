import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { signWebhook } from '../../coordinator/notify/sign-webhook.js';
import { ROOT, tempDir } from '../helpers/fixtures.js';

const DOC = readFileSync(join(ROOT, 'docs', 'notifications.md'), 'utf8');
const block = (lang: string) => new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(DOC)![1]!;
const hasPython = spawnSync('python3', ['--version']).status === 0;
const dir = tempDir('notify-snippets-');
afterAll(() => dir.cleanup());

// The verification snippets of docs/notifications.md, run as written against signatures the coordinator makes.
describe('docs/notifications.md signature snippets', () => {
  const body = JSON.stringify({ id: 'ntf_x', event: 'session.ended', occurred_at: new Date().toISOString(), data: { text: 'é <b> "q"' } });
  const now = Math.floor(Date.now() / 1000);
  const cases: Array<[string, string, string, boolean]> = [
    ['a good signature', 'k3y', signWebhook('k3y', body, now), true],
    ['another key', 'other', signWebhook('k3y', body, now), false],
    ['older than the window', 'k3y', signWebhook('k3y', body, now - 400), false],
    ['garbage', 'k3y', 'nonsense', false],
  ];

  it('Node', async () => {
    const file = join(dir.dir, 'verify.mjs');
    writeFileSync(file, block('js'));
    const { verify } = (await import(pathToFileURL(file).href)) as { verify: (s: string, b: string, h: string) => boolean };
    for (const [name, secret, header, ok] of cases) expect(verify(secret, body, header), name).toBe(ok);
    expect(verify('k3y', `${body} `, signWebhook('k3y', body, now))).toBe(false);
  });

  it.skipIf(!hasPython)('Python', () => {
    const script = `${block('python')}\nimport sys, json\nfor secret, header in json.loads(sys.argv[2]):\n    print(verify(secret.encode(), sys.argv[1].encode(), header))\n`;
    const res = spawnSync('python3', ['-c', script, body, JSON.stringify(cases.map(([, s, h]) => [s, h]))], { encoding: 'utf8' });
    expect(res.stderr).toBe('');
    expect(res.stdout.trim().split('\n')).toEqual(cases.map(([, , , ok]) => (ok ? 'True' : 'False')));
  });
});
