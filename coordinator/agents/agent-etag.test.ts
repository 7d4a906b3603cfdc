import { describe, expect, it } from 'vitest';
import { agentEtag, etagMatches } from './agent-etag.js';

describe('agent ETags', () => {
  it('change with the blueprint and match If-None-Match lists, * and weak forms', () => {
    const a = agentEtag({ name: 'a', system_prompt: 'x' });
    expect(a).toBe(agentEtag({ name: 'a', system_prompt: 'x' }));
    expect(a).not.toBe(agentEtag({ name: 'a', system_prompt: 'y' }));
    expect(etagMatches(`"other", ${a}`, a)).toBe(true);
    expect(etagMatches(`W/${a}`, a)).toBe(true);
    expect(etagMatches('*', a)).toBe(true);
    expect(etagMatches('"other"', a)).toBe(false);
    expect(etagMatches(undefined, a)).toBe(false);
  });
});
