/**
 * `agent-runner run` with its embedded coordinator reads `./skills` and `./mcp-servers.yaml` as it reads
 * `./agents`: the executor (a real process) gets the resolved blueprint (its base merged, the shared MCP
 * server in `mcp_servers`) and the skill as a folder in the runner's state folder, not the project.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useRunnerKit } from '../runner/runner-kit.js';

describe('the embedded coordinator with ./skills and ./mcp-servers.yaml', { timeout: 60_000 }, () => {
  const kit = useRunnerKit();

  it('gives the executor the skill and the shared server of a blueprint that extends another', async () => {
    const cwd = kit().tempDir();
    const state = kit().tempDir();
    mkdirSync(join(cwd, 'agents'));
    mkdirSync(join(cwd, 'skills', 'notes'), { recursive: true });
    writeFileSync(join(cwd, 'skills', 'notes', 'SKILL.md'), '---\nname: notes\ndescription: Use to take notes.\n---\nWrite notes.\n');
    writeFileSync(join(cwd, 'mcp-servers.yaml'), 'servers:\n  docs:\n    url: https://docs.example/mcp\n    headers: { X-Team: docs }\n');
    writeFileSync(join(cwd, 'agents', 'base.json'), JSON.stringify({ name: 'base', executor: 'report-env', system_prompt: 'from base', skills: ['notes'] }));
    writeFileSync(join(cwd, 'agents', 'writer.json'), JSON.stringify({ name: 'writer', extends: 'base', shared_mcp_servers: ['docs'] }));

    const run = await kit().cli(['run', '--agent', 'writer', 'hello', '--json'], { cwd, env: { AGENT_RUNNER_STATE_DIR: state } });
    const outcome = JSON.parse(run.stdout.trimEnd().split('\n').at(-1)!) as { status: string; result: { result_data: { stdin: string } } };
    expect(outcome.status, run.stdout + run.stderr).toBe('succeeded');
    const blueprint = JSON.parse(outcome.result.result_data.stdin).agent_blueprint as Record<string, any>;
    expect(blueprint).toMatchObject({ name: 'writer', system_prompt: 'from base', mcp_servers: { docs: { url: 'https://docs.example/mcp', headers: { 'X-Team': 'docs' } } } });
    expect(blueprint.extends).toBeUndefined();
    expect(blueprint.shared_mcp_servers).toBeUndefined();
    expect(blueprint.skills).toEqual([{ name: 'notes', description: 'Use to take notes.', path: expect.any(String) }]);
    const path = blueprint.skills[0].path as string;
    expect(path.startsWith(state)).toBe(true);
    expect(readFileSync(join(path, 'SKILL.md'), 'utf8')).toContain('Write notes.');
    expect(existsSync(join(cwd, '.claude'))).toBe(false);
  });
});
