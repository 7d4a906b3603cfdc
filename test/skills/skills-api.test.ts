/**
 * The coordinator's skills folder, `extends` and shared MCP servers over real HTTP, on SQLite and
 * PostgreSQL: hostile skill folders are left out with a problem naming the field, one skill's files carry
 * an ETag (304 on If-None-Match), blueprints naming unknown skills, bases or servers are refused with the
 * name (PUT, the agents folder, a session's creation), a session's skills are fixed when it is created
 * (inherited unless `inherit_skills: false`), and the runner's assignment and resolved blueprint carry them.
 */
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { afterTest, scratch } from './scratch.js';
import { MAX_SKILL_BYTES } from '../../protocol/skills.js';
import { parseMcpRegistry } from '../../coordinator/agents/mcp-registry.js';
import { pollRun, registerRunner, startTestCoordinator, STORE_KINDS } from '../coordinator/helpers.js';


const skillMd = (name: string, description = `Use ${name}.`) => `---\nname: ${name}\ndescription: ${description}\n---\n\nBody of ${name}.\n`;

/** A skills folder with two good skills and one hostile entry of each kind. */
function skillsFolder(): string {
  const dir = scratch('skills-dir-');
  const outside = scratch('skills-outside-');
  writeFileSync(join(outside, 'secret.txt'), 'runner secret');
  const add = (folder: string, files: Record<string, string>) => {
    mkdirSync(join(dir, folder), { recursive: true });
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, folder, path, '..'), { recursive: true });
      writeFileSync(join(dir, folder, path), text);
    }
  };
  add('pdf-forms', { 'SKILL.md': skillMd('pdf-forms'), 'scripts/fill.sh': '#!/bin/sh\necho fill\n' });
  chmodSync(join(dir, 'pdf-forms', 'scripts', 'fill.sh'), 0o755);
  add('review', { 'SKILL.md': skillMd('review') });
  add('no-frontmatter', { 'SKILL.md': '# just text\n' });
  add('no-description', { 'SKILL.md': '---\nname: no-description\n---\n' });
  add('wrong-name', { 'SKILL.md': skillMd('other-name') });
  add('Bad_Name', { 'SKILL.md': skillMd('Bad_Name') });
  add('missing', { 'README.md': 'no SKILL.md' });
  add('leaky', { 'SKILL.md': skillMd('leaky') });
  symlinkSync(join(outside, 'secret.txt'), join(dir, 'leaky', 'secret.txt'));
  add('huge', { 'SKILL.md': skillMd('huge'), 'big.bin': 'x'.repeat(MAX_SKILL_BYTES) });
  add('bad-yaml', { 'SKILL.md': '---\nname: [unclosed\n---\n' });
  writeFileSync(join(dir, 'stray.txt'), 'not a folder');
  return dir;
}

describe.each(STORE_KINDS)('skills, extends and shared MCP servers over the API (%s)', (kind) => {
  const start = async () => {
    const registry = parseMcpRegistry(JSON.stringify({ servers: { docs: { url: 'https://docs.example/mcp', headers: { 'X-Key': '${env.DOCS_KEY}' } }, retired: { url: 'https://old.example/', enabled: false } } }), 'servers.json');
    const c = await startTestCoordinator(kind, { skillsDir: skillsFolder(), mcpServers: registry });
    afterTest(c.stop);
    return c;
  };

  it('lists the good skills with digests and each hostile folder as a problem naming the field', async () => {
    const { api } = await start();
    const list = (await api('GET', '/v1/skills')).body as { skills: Array<{ name: string; digest: string; files: number }>; problems: Array<{ folder: string; message: string }> };
    expect(list.skills.map((s) => [s.name, s.files])).toEqual([['pdf-forms', 2], ['review', 1]]);
    const problems = Object.fromEntries(list.problems.map((p) => [p.folder, p.message]));
    expect(problems).toEqual({
      'Bad_Name': expect.stringMatching(/^name: "Bad_Name" must be lowercase letters/),
      'bad-yaml': expect.stringMatching(/^SKILL\.md: the frontmatter is not YAML/),
      huge: expect.stringMatching(/^\(folder\): more than \d+ bytes of files/),
      leaky: 'secret.txt: a symbolic link out of the skill\'s folder',
      missing: 'SKILL.md: missing (every skill folder holds one)',
      'no-description': 'SKILL.md: description: description is required (when to use the skill)',
      'no-frontmatter': 'SKILL.md: must start with a --- frontmatter block giving name and description',
      'stray.txt': '(folder): not a folder (each skill is a folder holding SKILL.md)',
      'wrong-name': 'SKILL.md: name: is "other-name" but the folder is "wrong-name" (they must be the same)',
    });
    expect(JSON.stringify(list)).not.toContain('runner secret');
  });

  it('serves one skill\'s files with an ETag, 304 on If-None-Match, 404 naming an unknown skill', async () => {
    const { url, api } = await start();
    const res = await fetch(`${url}/v1/skills/pdf-forms`);
    expect(res.status).toBe(200);
    const etag = res.headers.get('etag')!;
    const body = (await res.json()) as { digest: string; files: Array<{ path: string; content_base64: string; executable: boolean }> };
    expect(body.digest).toBe(etag);
    expect(body.files.map((f) => [f.path, f.executable])).toEqual([['SKILL.md', false], ['scripts/fill.sh', true]]);
    expect(Buffer.from(body.files[1]!.content_base64, 'base64').toString()).toBe('#!/bin/sh\necho fill\n');
    expect((await fetch(`${url}/v1/skills/pdf-forms`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    const unknown = await api('GET', '/v1/skills/pdf-form');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toBe('no skill named "pdf-form" (did you mean "pdf-forms"?)');
    expect((await api('GET', '/v1/skills/leaky')).status).toBe(404);
  });

  it('refuses a PUT naming an unknown skill, base or shared server, or a cycle, each with its name and field', async () => {
    const { api } = await start();
    const put = (name: string, doc: Record<string, unknown>) => api('PUT', `/v1/agents/${name}`, doc);
    const refused = async (name: string, doc: Record<string, unknown>) => {
      const res = await put(name, doc);
      expect(res.status, JSON.stringify(res.body)).toBe(422);
      return res.body.error.details.issues as Array<{ path: string; message: string }>;
    };
    expect(await refused('a', { skills: ['pdf-forms', 'reveiw'] })).toEqual([{ path: 'skills[1]', message: expect.stringMatching(/^no skill named "reveiw" in .* \(did you mean "review"\?\)$/) }]);
    expect(await refused('a', { extends: 'ghost' })).toEqual([{ path: 'extends', message: 'no agent named "ghost"' }]);
    expect(await refused('a', { shared_mcp_servers: ['retired', 'nope'] })).toEqual([
      { path: 'shared_mcp_servers[0]', message: 'the shared MCP server "retired" is disabled (enabled: false in servers.json)' },
      { path: 'shared_mcp_servers[1]', message: 'no shared MCP server named "nope" in servers.json' },
    ]);
    expect((await put('a', { extends: 'b' })).status).toBe(422);
    expect((await put('b', { system_prompt: 'b' })).status).toBe(201);
    expect((await put('a', { extends: 'b' })).status).toBe(201);
    expect(await refused('b', { extends: 'a' })).toEqual([{ path: 'extends', message: 'a cycle: b → a → b' }]);
    // Malformed values are refused by the schema, naming the field.
    const bad = await put('c', { skills: 'pdf-forms', inherit_skills: 'no', extends: '../x', shared_mcp_servers: [''] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.issues.map((i: { path: string }) => i.path).sort()).toEqual(['extends', 'inherit_skills', 'shared_mcp_servers[0]', 'skills']);
  });

  it('resolves extends and shared servers for runners; fixes each session\'s skills when it is created', async () => {
    const { api } = await start();
    for (const [name, doc] of Object.entries({
      base: { executor: 'test', system_prompt: 'base', skills: ['review'], shared_mcp_servers: ['docs'], tags: [] },
      parent: { extends: 'base', skills: ['pdf-forms'], model: 'm' },
      child: { executor: 'test' },
      loner: { executor: 'test', inherit_skills: false },
    })) expect((await api('PUT', `/v1/agents/${name}`, doc)).status).toBe(201);

    const resolved = await api('GET', '/v1/agents/parent/resolved');
    expect(resolved.body).toEqual({ name: 'parent', executor: 'test', system_prompt: 'base', model: 'm', tags: [], mcp_servers: { docs: { url: 'https://docs.example/mcp', headers: { 'X-Key': '${env.DOCS_KEY}' } } } });
    expect((await api('GET', '/v1/agents/parent')).body).toMatchObject({ extends: 'base', skills: ['pdf-forms'] });

    const create = async (agent: string, parent?: string) => {
      const res = await api('POST', '/v1/sessions', { agent, prompt: 'p', ...(parent === undefined ? {} : { parent_session_id: parent }) });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return (await api('GET', `/v1/sessions/${res.body.session_id}`)).body as { session_id: string; skills: string[]; executor: string };
    };
    const parent = await create('parent');
    expect(parent.skills).toEqual(['review', 'pdf-forms']);
    expect(parent.executor).toBe('test'); // its base's
    expect((await create('child', parent.session_id)).skills).toEqual(['review', 'pdf-forms']);
    expect((await create('loner', parent.session_id)).skills).toEqual([]);

    // The runner's assignment names the resolved blueprint's version and each skill's digest.
    const runner = await registerRunner(api, ['test']);
    const claimed = await pollRun(api, runner);
    const agent = claimed.invocation.agent as string;
    expect(claimed.invocation.agent_etag).toBe((await api('GET', `/v1/agents/${agent}/resolved`)).headers.get('etag'));
    const digests = Object.fromEntries(((await api('GET', '/v1/skills')).body.skills as Array<{ name: string; digest: string }>).map((s) => [s.name, s.digest]));
    const expected = agent === 'loner' ? undefined : [{ name: 'review', digest: digests.review }, { name: 'pdf-forms', digest: digests['pdf-forms'] }];
    expect(claimed.invocation.skills).toEqual(expected);
  });

  it('refuses a session whose agent can no longer be resolved, naming the agent and the field', async () => {
    const { api } = await start();
    expect((await api('PUT', '/v1/agents/base', { executor: 'test' })).status).toBe(201);
    expect((await api('PUT', '/v1/agents/kid', { extends: 'base' })).status).toBe(201);
    expect((await api('DELETE', '/v1/agents/base')).status).toBe(204);
    const res = await api('POST', '/v1/sessions', { agent: 'kid', prompt: 'p' });
    expect(res.status).toBe(422);
    expect(res.body.error.message).toBe('agent: agent "kid": extends: no agent named "base"');
    expect((await api('GET', '/v1/agents/kid/resolved')).status).toBe(422);
  });

  it('a workflow job\'s session takes its agent as resolved: a base\'s executor, tags, timeout and skills; a broken chain fails the job naming the field', async () => {
    const { api } = await start();
    for (const [name, doc] of Object.entries({
      base: { executor: 'test', tags: ['gpu'], timeout_s: 321, skills: ['review'], budget: { usd: 2 } },
      worker: { extends: 'base', skills: ['pdf-forms'] },
      loner: { extends: 'base', inherit_skills: false },
      'gone-soon': { executor: 'test' },
      orphan: { extends: 'gone-soon' },
    })) expect((await api('PUT', `/v1/agents/${name}`, doc)).status).toBe(201);
    expect((await api('DELETE', '/v1/agents/gone-soon')).status).toBe(204);
    const definition = { name: 'skilled', jobs: { a: { agent: 'worker', prompt: 'a' }, b: { agent: 'loner', prompt: 'b' }, c: { agent: 'orphan', prompt: 'c' } } };
    const started = await api('POST', '/v1/workflow-runs', { definition });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const children = (await api('GET', `/v1/sessions?parent=${started.body.root_session_id}`)).body.sessions as Array<{ agent: string; executor: string; tags: string[]; timeout_s: number | null; skills: string[]; budget: unknown }>;
    const byAgent = Object.fromEntries(children.map((s) => [s.agent, s]));
    expect(byAgent.worker).toMatchObject({ executor: 'test', tags: ['gpu'], timeout_s: 321, skills: ['review', 'pdf-forms'] });
    expect((await api('GET', `/v1/sessions/${(byAgent.worker as unknown as { session_id: string }).session_id}`)).body.budget).toMatchObject({ usd: 2 });
    expect(byAgent.loner).toMatchObject({ executor: 'test', skills: ['review'] }); // its own (the base's); the root's are not inherited
    expect(byAgent.orphan).toBeUndefined();
    const view = (await api('GET', `/v1/workflow-runs/${started.body.workflow_run_id}`)).body as { jobs: Array<{ id: string; status: string; error?: string | null }> };
    const c = view.jobs.find((j) => j.id === 'c')!;
    expect(c.status).toBe('failed');
    expect(JSON.stringify(c)).toContain('agent \\"orphan\\": extends: no agent named \\"gone-soon\\"');
  });

  it('the agents folder leaves out blueprints naming unknown skills, bases or servers, with the name', async () => {
    const agentsDir = scratch('agents-dir-');
    const write = (name: string, doc: Record<string, unknown>) => writeFileSync(join(agentsDir, `${name}.json`), JSON.stringify({ name, ...doc }));
    write('good', { extends: 'base', skills: ['review'], shared_mcp_servers: ['docs'] });
    write('base', { executor: 'test' });
    write('loop-a', { extends: 'loop-b' });
    write('loop-b', { extends: 'loop-a' });
    write('no-skill', { skills: ['nope'] });
    write('off', { shared_mcp_servers: ['retired'] });
    const c = await startTestCoordinator(kind, { agentsDir, skillsDir: skillsFolder(), mcpServers: parseMcpRegistry('{"servers": {"docs": {"url": "https://d/"}, "retired": {"url": "https://r/", "enabled": false}}}', 'servers.json') });
    afterTest(c.stop);
    const list = (await c.api('GET', '/v1/agents')).body as { agents: Array<{ name: string }>; problems: Array<{ file: string; message: string }> };
    expect(list.agents.map((a) => a.name).sort()).toEqual(['base', 'good']);
    expect(Object.fromEntries(list.problems.map((p) => [p.file, p.message]))).toEqual({
      'loop-a.json': 'extends: a cycle: loop-a → loop-b → loop-a',
      'loop-b.json': 'extends: a cycle: loop-b → loop-a → loop-b',
      'no-skill.json': expect.stringMatching(/^skills\[0\]: no skill named "nope" in /),
      'off.json': 'shared_mcp_servers[0]: the shared MCP server "retired" is disabled (enabled: false in servers.json)',
    });
  });
});
