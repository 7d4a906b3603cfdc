import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AGENT_FIELDS } from '../../../protocol/agents.js';
import { ClaudeBlueprintSchema, parseInvocation, readStdin } from './read-invocation.js';

const base = { schema_version: '2.0', mode: 'start', session_id: 'ses_1', prompt: 'hi' };
const parse = (doc: unknown) => parseInvocation(JSON.stringify(doc));

describe('parseInvocation', () => {
  it('accepts a minimal invocation with the default settings', () => {
    expect(parse(base)).toEqual({ ok: true, invocation: base, settings: { systemPromptMode: 'append' }, resumeId: undefined });
  });

  it('reads the Claude blueprint fields and ignores unknown ones', () => {
    const blueprint = {
      name: 'w',
      system_prompt_mode: 'replace',
      model: 'claude-x',
      permission_mode: 'plan',
      allowed_tools: ['Read'],
      disallowed_tools: ['Bash'],
      max_turns: 4,
      max_budget_usd: 0.75,
      output_schema: { type: 'object' },
      executor: 'claude-code',
      tags: ['x'],
    };
    const parsed = parse({ ...base, agent_blueprint: blueprint });
    expect(parsed).toMatchObject({
      ok: true,
      settings: {
        systemPromptMode: 'replace',
        model: 'claude-x',
        permissionMode: 'plan',
        allowedTools: ['Read'],
        disallowedTools: ['Bash'],
        maxTurns: 4,
        maxBudgetUsd: 0.75,
        outputSchema: { type: 'object' },
      },
    });
  });

  it('takes the resume id from metadata and requires it on resume', () => {
    expect(parse({ ...base, mode: 'resume', metadata: { executor_session_id: 'abc' } })).toMatchObject({ ok: true, resumeId: 'abc' });
    expect(parse({ ...base, metadata: { executor_session_id: 'abc' } })).toMatchObject({ ok: true, resumeId: undefined });
    expect(parse({ ...base, mode: 'resume' })).toEqual({
      ok: false,
      reason: 'metadata.executor_session_id: required on resume (the Claude session id from the bind event of an earlier run)',
    });
  });

  it('rejects malformed input with the field and the reason', () => {
    expect(parseInvocation('')).toEqual({ ok: false, reason: 'no input on stdin (expected one Schema 2.0 JSON document)' });
    expect(parseInvocation('{nope')).toMatchObject({ ok: false, reason: expect.stringMatching(/^stdin is not valid JSON \(/) });
    expect(parse({ ...base, schema_version: '9.9' })).toEqual({ ok: false, reason: 'schema_version: schema_version must be "2.0"' });
    expect(parse({ ...base, mode: 'sideways' })).toEqual({ ok: false, reason: 'mode: mode must be "start" or "resume"' });
    expect(parse({ ...base, agent_blueprint: { name: 'w', allowed_tools: 'Read', max_budget_usd: -1, output_schema: [1] } })).toEqual({
      ok: false,
      reason:
        'agent_blueprint.allowed_tools: allowed_tools must be an array of tool names; agent_blueprint.max_budget_usd: max_budget_usd must be more than 0; ' +
        'agent_blueprint.output_schema: output_schema must be a JSON Schema object',
    });
  });
});

describe('parseInvocation: models', () => {
  const settingsOf = (blueprint: Record<string, unknown>) => {
    const parsed = parse({ ...base, agent_blueprint: { name: 'w', ...blueprint } });
    if (!parsed.ok) throw new Error(parsed.reason);
    return parsed.settings;
  };

  it('models [a, b, c]: model a, fallback b (Claude Code takes one fallback)', () => {
    expect(settingsOf({ models: ['a', 'b', 'c'] })).toMatchObject({ model: 'a', fallbackModel: 'b' });
    expect(settingsOf({ models: ['a'] })).toEqual({ systemPromptMode: 'append', model: 'a' });
    // As the runner writes them: the chosen model, then the list starting with it.
    expect(settingsOf({ model: 'b', models: ['b', 'c'] })).toMatchObject({ model: 'b', fallbackModel: 'c' });
    expect(settingsOf({ model: 'x', models: ['a', 'b'] })).toMatchObject({ model: 'x', fallbackModel: 'a' });
  });

  it('refuses malformed models naming the field', () => {
    for (const [models, reason] of [
      [[], 'agent_blueprint.models: models must name at least one model'],
      ['a', 'agent_blueprint.models: models must be an array of model names'],
      [['a', ''], 'agent_blueprint.models[1]: models entries must not be empty'],
    ] as const) {
      expect(parse({ ...base, agent_blueprint: { name: 'w', models } })).toEqual({ ok: false, reason });
    }
  });
});

describe('ClaudeBlueprintSchema', () => {
  it('has only fields the coordinator knows, so a blueprint using them is not refused as unknown (protocol/agents.ts)', () => {
    expect(AGENT_FIELDS).toEqual(expect.arrayContaining(Object.keys(ClaudeBlueprintSchema.shape)));
  });
});

describe('readStdin', () => {
  it('reads a stream to its end as UTF-8', async () => {
    expect(await readStdin(Readable.from([Buffer.from('{"a":'), Buffer.from('"é"}')]))).toBe('{"a":"é"}');
  });
});
