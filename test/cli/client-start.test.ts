import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCoordinator } from '../coordinator/helpers.js';
import { runCli } from '../helpers/cli.js';
import { ROOT, tempDir } from '../helpers/fixtures.js';

const RECORDER = join(ROOT, 'test', 'fixtures', 'module-recorder', 'register.mjs');

/**
 * What a client command must not load when a coordinator answers it: the runner and the coordinator (and
 * what they need: SQLite, PostgreSQL, Hono, the MCP SDK, execa), pino (nothing is logged), the YAML parser
 * (no file is read: ~60 ms of yaml's ~80 files when the runner's settings loaded it), TLS for a plain http:// URL, hashing. Loading is most of a command's start (bench/cli-cold-start.bench.ts).
 */
const HEAVY = [
  /\/dist\/lib\/runner\/(?!young-generation\.js|runner-config\.js)/, // settings only, not the runner
  /\/dist\/coordinator\//,
  /\/dist\/lib\/mcp\//,
  /\/dist\/lib\/process\/spawn/,
  /\/node_modules\/(pino|execa|better-sqlite3|pg|hono|@hono|@modelcontextprotocol|yaml)\//,
  /^node:(https|tls|crypto|child_process)$/,
];

describe('client commands against a running coordinator load only what they use (cold start)', () => {
  let stack: Awaited<ReturnType<typeof startTestCoordinator>>;
  let session: string;
  const dirs: Array<() => void> = [];

  /** file: URL of each chunk of the CLI bundle → the file: URLs of the modules compiled into it. */
  const bundleInputs = new Map<string, string[]>();

  beforeAll(async () => {
    const meta = JSON.parse(readFileSync(join(ROOT, 'dist', 'cli', 'meta.json'), 'utf8')) as { outputs: Record<string, { inputs: Record<string, unknown> }> };
    for (const [output, { inputs }] of Object.entries(meta.outputs)) {
      bundleInputs.set(pathToFileURL(join(ROOT, output)).href, Object.keys(inputs).map((input) => pathToFileURL(join(ROOT, input)).href));
    }
    stack = await startTestCoordinator('sqlite');
    session = (await stack.api('POST', '/v1/sessions', { executor: 'sh-echo', prompt: 'hello', project_dir: '/tmp' })).body.session_id;
  });
  afterAll(async () => {
    await stack?.stop();
    for (const remove of dirs) remove();
  });

  /**
   * Run the CLI with the module recorder; its result and the modules it loaded. The CLI is a bundle
   * (scripts/bundle-cli.mjs): each chunk of it that was loaded stands for the modules compiled into it,
   * read from the bundle's metafile, so the checks below see modules, not chunk names.
   */
  async function recorded(args: string[], env: Record<string, string> = {}) {
    const t = tempDir('client-start-');
    dirs.push(t.cleanup);
    const file = join(t.dir, 'modules.txt');
    const result = await runCli(args, { cwd: t.dir, env: { NODE_OPTIONS: `--import ${RECORDER}`, RECORD_MODULES: file, ...env } });
    const loaded = readFileSync(file, 'utf8').trim().split('\n');
    const modules = loaded.flatMap((url) => bundleInputs.get(url) ?? [url]);
    return { ...result, loaded, modules };
  }

  // `runners`, `status` and `agents list` come from other work: checked once this checkout has them.
  const commands: Array<{ args: string[]; shows?: 'session' }> = [
    { args: ['sessions', 'list'], shows: 'session' },
    { args: ['sessions', 'list', '--json'], shows: 'session' },
    { args: ['sessions', 'show', 'SESSION'], shows: 'session' },
    { args: ['sessions', 'show', 'SESSION', '--json'], shows: 'session' },
    { args: ['runners'] },
    { args: ['status'] },
    { args: ['notifications'] },
    { args: ['agents', 'list'] },
    { args: ['skills', 'list'] },
  ];
  for (const { args, shows } of commands) {
    it(`${args.join(' ')} -c URL`, async (ctx) => {
      const { code, stdout, stderr, loaded, modules } = await recorded([...args.map((a) => (a === 'SESSION' ? session : a)), '-c', stack.url]);
      if (shows === undefined && code === 2 && /too many arguments|unknown command/.test(stderr)) ctx.skip();
      expect(stderr).toBe('');
      expect(code).toBe(0);
      if (shows === 'session') expect(stdout).toContain(session);
      expect(modules.some((m) => m.endsWith('/dist/lib/client/user-api.js'))).toBe(true); // the recorder saw the command's modules
      expect(loaded.filter((url) => url.startsWith('file:')).every((url) => !url.includes('/dist/lib/'))).toBe(true); // through the bundle
      expect(modules.filter((m) => HEAVY.some((heavy) => heavy.test(m)))).toEqual([]);
    });
  }

  it('sessions list with the coordinator found on this machine\'s local port (no -c): the same', async () => {
    const port = new URL(stack.url).port;
    const { code, stdout, modules } = await recorded(['sessions', 'list'], { AGENT_RUNNER_LOCAL_PORT: port });
    expect(code).toBe(0);
    expect(stdout).toContain(session);
    expect(modules.filter((m) => HEAVY.some((heavy) => heavy.test(m)))).toEqual([]);
  });
});

describe('client commands: a malformed coordinator URL is a usage error naming where it came from', () => {
  it('names --coordinator-url or AGENT_COORDINATOR_URL, exit 2, no stack trace', async () => {
    const flag = await runCli(['sessions', 'list', '-c', 'not a url']);
    expect([flag.code, flag.stderr]).toEqual([2, 'agent-runner: --coordinator-url: "not a url" is not a URL (expected e.g. http://127.0.0.1:8765)\n']);
    const env = await runCli(['sessions', 'show', 'ses_x'], { env: { AGENT_COORDINATOR_URL: 'ftp://host' } });
    expect([env.code, env.stderr]).toEqual([2, 'agent-runner: AGENT_COORDINATOR_URL: "ftp://host" must be an http:// or https:// URL\n']);
  });
});

describe('client commands parse replies without zod\'s JIT (reply.ts), and still refuse a malformed one', () => {
  it('sessions list against a server whose page has a wrong field: exit 1 naming the call and the field', async () => {
    const server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"sessions":[{"session_id":5}],"next_cursor":null}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      const res = await runCli(['sessions', 'list', '-c', url]);
      expect(res.code).toBe(1);
      expect(res.stderr).toMatch(/^agent-runner: GET \/v1\/sessions\?limit=20: the coordinator's reply is not valid: sessions\[0\]\.session_id/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
