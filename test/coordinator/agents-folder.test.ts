import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { MAX_AGENT_FILE_BYTES } from '../../protocol/agent-file.js';
import { type Api, eventually, startTestCoordinator, STORE_KINDS } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function agentsFolder(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'agents-folder-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const json = (doc: unknown) => JSON.stringify(doc);

interface Listing {
  agents: Array<{ name: string; [key: string]: unknown }>;
  problems: Array<{ file: string; agent: string | null; message: string; kept: boolean }>;
}

const listing = async (api: Api) => (await api<Listing>('GET', '/v1/agents')).body;
const problemOf = (list: Listing, file: string) => list.problems.find((p) => p.file === file);

describe.each(STORE_KINDS)('the agents folder (%s)', (kind) => {
  it('loads the good files and lists each hostile one as a problem naming the file, the field and the reason', async () => {
    const dir = agentsFolder({
      'good.json': json({ name: 'good', executor: 'test', 'x-team': 'docs', max_turns: 3 }),
      'bom.json': `\uFEFF${json({ name: 'bom', executor: 'test' })}`,
      'typos.json': json({ name: 'typos', exectuor: 'test', timout_s: 5, team: 'docs' }),
      'types.json': json({ name: 'types', tags: 'a', timeout_s: '10', mcp_servers: { web: { type: 'http' } } }),
      'notjson.json': 'name: notjson',
      'empty.json': '',
      'array.json': '[1, 2]',
      'nul.json': json({ name: 'nul', system_prompt: 'a\u0000b' }),
      'deep.json': `{"name":"deep","x-deep":${'['.repeat(100)}${']'.repeat(100)}}`,
      'huge.json': ' '.repeat(MAX_AGENT_FILE_BYTES + 1),
      'evil.json': json({ name: '../evil', executor: 'test' }),
      'other.json': json({ name: 'someone-else', executor: 'test' }),
      'bad name.json': json({ name: 'bad name', executor: 'test' }),
      'README.md': 'not a blueprint',
    });
    mkdirSync(join(dir, 'folder.json'));
    // A FIFO nobody writes to: reading it would wait for ever.
    execFileSync('mkfifo', [join(dir, 'fifo.json')]);
    const t = await startTestCoordinator(kind, { agentsDir: dir });
    cleanups.push(t.stop);
    const list = await listing(t.api);
    expect(list.agents.map((a) => a.name)).toEqual(['bom', 'good']);
    expect(list.agents.find((a) => a.name === 'good')).toMatchObject({ 'x-team': 'docs', max_turns: 3 });
    const messages = Object.fromEntries(list.problems.map((p) => [p.file, p.message]));
    expect(messages).toEqual({
      'array.json': '(root): Invalid input: expected object, received array',
      'bad name.json': 'name: name must be letters, digits, ".", "_" or "-" (at most 128)',
      'deep.json': expect.stringMatching(/^x-deep(\[0\])+: nested deeper than 64 levels/),
      'empty.json': expect.stringMatching(/^\(root\): not valid JSON/),
      'evil.json': 'name: name must be letters, digits, ".", "_" or "-" (at most 128)',
      'fifo.json': '(file): not a regular file',
      'folder.json': '(file): not a regular file',
      'huge.json': `(file): ${MAX_AGENT_FILE_BYTES + 1} bytes is more than the most allowed, ${MAX_AGENT_FILE_BYTES}`,
      'notjson.json': expect.stringMatching(/^\(root\): not valid JSON/),
      'nul.json': 'system_prompt: must not contain NUL (\\u0000)',
      'other.json': 'name: is "someone-else" but the file is named other.json (expected "other")',
      'types.json':
        'mcp_servers.web.url: url is required for a http MCP server; tags: Invalid input: expected array, received string; timeout_s: timeout_s must be a whole number of seconds',
      'typos.json':
        'exectuor: unknown field (did you mean "executor"?); timout_s: unknown field (did you mean "timeout_s"?); team: unknown field (a field of your own must start with "x-")',
    });
    expect(problemOf(list, 'bad name.json')).toMatchObject({ agent: null, kept: false });
    expect(problemOf(list, 'typos.json')).toMatchObject({ agent: 'typos', kept: false });
  });

  it('follows the folder without a restart: a file added, changed, made invalid (its last good version kept), deleted', async () => {
    const dir = agentsFolder({ 'a.json': json({ name: 'a', executor: 'test', description: 'v1' }) });
    const lines: string[] = [];
    const logger = pino({ level: 'warn' }, new Writable({ write: (chunk: Buffer, _encoding, done) => (lines.push(chunk.toString()), done()) }));
    const t = await startTestCoordinator(kind, { agentsDir: dir, logger });
    cleanups.push(t.stop);
    const agent = async (name: string) => (await listing(t.api)).agents.find((a) => a.name === name);

    writeFileSync(join(dir, 'b.json'), json({ name: 'b', executor: 'test' }));
    await eventually(async () => (await agent('b')) !== undefined);

    // An editor's save: write a temporary file, rename it over the old one.
    writeFileSync(join(dir, '.a.json.tmp'), json({ name: 'a', executor: 'test', description: 'v2' }));
    renameSync(join(dir, '.a.json.tmp'), join(dir, 'a.json'));
    await eventually(async () => (await agent('a'))?.description === 'v2');

    writeFileSync(join(dir, 'a.json'), json({ name: 'a', executor: 'test', descriptoin: 'v3' }));
    const broken = await eventually(async () => problemOf(await listing(t.api), 'a.json'));
    expect(broken).toMatchObject({ agent: 'a', kept: true, message: 'descriptoin: unknown field (did you mean "description"?)' });
    expect(await agent('a')).toMatchObject({ description: 'v2' });
    expect((await t.api('GET', '/v1/agents/a')).body).toMatchObject({ description: 'v2' });
    await eventually(async () => lines.some((l) => l.includes('a.json: descriptoin: unknown field (did you mean \\"description\\"?); keeping its last good version')));

    rmSync(join(dir, 'b.json'));
    await eventually(async () => (await agent('b')) === undefined);

    writeFileSync(join(dir, 'a.json'), json({ name: 'a', executor: 'test', description: 'v4' }));
    await eventually(async () => (await agent('a'))?.description === 'v4');
    expect(problemOf(await listing(t.api), 'a.json')).toBeUndefined();
  });

  it('reload reads the folder again: the files win over PUTs, and an unreadable folder changes nothing (409)', async () => {
    const dir = agentsFolder({ 'a.json': json({ name: 'a', executor: 'test', description: 'from the file' }) });
    const t = await startTestCoordinator(kind, { agentsDir: dir, watchAgents: false });
    cleanups.push(t.stop);
    expect((await t.api('PUT', '/v1/agents/a', { executor: 'test', description: 'from a PUT' })).status).toBe(200);
    expect((await t.api('PUT', '/v1/agents/api-only', { executor: 'test' })).status).toBe(201);
    writeFileSync(join(dir, 'broken.json'), '{');

    const reload = await t.api('POST', '/v1/agents/reload');
    expect(reload).toMatchObject({ status: 200, body: { agents_dir: dir, loaded: ['a'], removed: [], problems: [{ file: 'broken.json', kept: false }] } });
    expect((await t.api('GET', '/v1/agents/a')).body.description).toBe('from the file');

    rmSync(join(dir, 'a.json'));
    expect((await t.api('POST', '/v1/agents/reload')).body).toMatchObject({ loaded: [], removed: ['a'] });
    expect((await listing(t.api)).agents.map((a) => a.name)).toEqual(['api-only']);

    rmSync(dir, { recursive: true });
    const gone = await t.api('POST', '/v1/agents/reload');
    expect(gone).toMatchObject({ status: 409, body: { error: { code: 'conflict', message: expect.stringContaining(`cannot read the agents folder ${dir}: ENOENT`) } } });
    expect((await listing(t.api)).problems).toEqual([expect.objectContaining({ file: '.', message: expect.stringContaining('ENOENT') })]);
    expect((await listing(t.api)).agents.map((a) => a.name)).toEqual(['api-only']);
  });

  it('a folder made again is watched again after a reload', async () => {
    const dir = agentsFolder({ 'a.json': json({ name: 'a', executor: 'test' }) });
    const t = await startTestCoordinator(kind, { agentsDir: dir });
    cleanups.push(t.stop);
    rmSync(dir, { recursive: true });
    mkdirSync(dir);
    writeFileSync(join(dir, 'b.json'), json({ name: 'b', executor: 'test' }));
    expect((await t.api('POST', '/v1/agents/reload')).status).toBe(200);
    // The removal's watch event may have reloaded the folder first (its debounce ran out on a busy machine,
    // the folder empty again), and then this reload found only b new: whichever reload did it, a is gone
    // and b is there.
    expect((await listing(t.api)).agents.map((a) => a.name)).toEqual(['b']);
    writeFileSync(join(dir, 'c.json'), json({ name: 'c', executor: 'test' }));
    await eventually(async () => (await listing(t.api)).agents.some((a) => a.name === 'c'));
  });

  it('PUT refuses unknown fields as the folder does; a coordinator without a folder has nothing to reload', async () => {
    const t = await startTestCoordinator(kind);
    cleanups.push(t.stop);
    const put = await t.api('PUT', '/v1/agents/w', { executor: 'test', exectuor: 'x', 'x-mine': { any: ['thing'] } });
    expect(put).toMatchObject({ status: 400, body: { error: { message: 'invalid body: exectuor: unknown field (did you mean "executor"?)' } } });
    expect((await t.api('PUT', '/v1/agents/w', { executor: 'test', 'x-mine': { any: ['thing'] } })).status).toBe(201);
    expect(await t.api('POST', '/v1/agents/reload')).toMatchObject({ status: 409, body: { error: { code: 'conflict' } } });
    expect((await listing(t.api)).problems).toEqual([]);
  });
});
