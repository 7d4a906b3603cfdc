// The @mention parser (protocol/mentions.ts): pure; what the console's Chat and POST /v1/mentions share.
import { describe, expect, it } from 'vitest';
import { parseMentions } from '../../protocol/mentions.js';

describe('parseMentions', () => {
  it('takes the mentions that open a message off its prompt', () => {
    expect(parseMentions('@reviewer look at the last commit')).toEqual({ agents: ['reviewer'], prompt: 'look at the last commit' });
    expect(parseMentions('@a @b do X')).toEqual({ agents: ['a', 'b'], prompt: 'do X' });
    expect(parseMentions('  @a, @b: do X')).toEqual({ agents: ['a', 'b'], prompt: 'do X' });
    expect(parseMentions('@reviewer. Look again')).toEqual({ agents: ['reviewer'], prompt: 'Look again' });
    expect(parseMentions('@a\n\nline one\nline two')).toEqual({ agents: ['a'], prompt: 'line one\nline two' });
    expect(parseMentions('@a {"events":[1]}')).toEqual({ agents: ['a'], prompt: '{"events":[1]}' });
  });

  it('keeps mentions later in the text in the prompt, and counts them', () => {
    expect(parseMentions('@a ask @b about it')).toEqual({ agents: ['a', 'b'], prompt: 'ask @b about it' });
    expect(parseMentions('please, @reviewer, look')).toEqual({ agents: ['reviewer'], prompt: 'please, @reviewer, look' });
    expect(parseMentions('ping (@ops.team-1)')).toEqual({ agents: ['ops.team-1'], prompt: 'ping (@ops.team-1)' });
  });

  it('counts each agent once, in the order first mentioned', () => {
    expect(parseMentions('@b @a @b do it, @a')).toEqual({ agents: ['b', 'a'], prompt: 'do it, @a' });
  });

  it('is not fooled by emails, bare @, or names outside the agent charset', () => {
    expect(parseMentions('mail a@b.c now')).toEqual({ agents: [], prompt: 'mail a@b.c now' });
    expect(parseMentions('@me@example.com hi')).toEqual({ agents: [], prompt: '@me@example.com hi' });
    expect(parseMentions('@ alone, @@double, @-dash, @_x')).toEqual({ agents: [], prompt: '@ alone, @@double, @-dash, @_x' });
    expect(parseMentions('@<script>x')).toEqual({ agents: [], prompt: '@<script>x' });
    expect(parseMentions('@bob<img src=x>')).toEqual({ agents: ['bob'], prompt: '<img src=x>' });
    expect(parseMentions('no mention here')).toEqual({ agents: [], prompt: 'no mention here' });
    expect(parseMentions('')).toEqual({ agents: [], prompt: '' });
  });

  it('says when only mentions were sent', () => {
    expect(parseMentions('@a @b')).toEqual({ agents: ['a', 'b'], prompt: '' });
  });

  it('reads names up to the charset’s limit (128)', () => {
    const long = `a${'b'.repeat(127)}`;
    expect(parseMentions(`@${long} hi`).agents).toEqual([long]);
    expect(parseMentions(`@${long}c hi`)).toEqual({ agents: [], prompt: `@${long}c hi` });
  });
});
