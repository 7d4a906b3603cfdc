import { describe, expect, it } from 'vitest';
import type { AgentBlueprint } from '../../protocol/invocation.js';
import { BlueprintCache } from './blueprint-cache.js';

/** A coordinator stand-in: answers with `answers` in turn, recording the If-None-Match it got. */
function source(answers: Array<{ blueprint: unknown; etag: string } | null>) {
  const asked: Array<string | undefined> = [];
  let release: () => void = () => {};
  const gate = new Promise<void>((resolve) => (release = resolve));
  const fetch = async (_name: string, etag?: string) => {
    asked.push(etag);
    await gate;
    return (answers.shift() ?? null) as { blueprint: AgentBlueprint; etag: string } | null;
  };
  return { asked, fetch, release };
}

describe('BlueprintCache', () => {
  it('runs that need the same agent at once share one request', async () => {
    const s = source([{ blueprint: { name: 'a', system_prompt: 'v1' }, etag: '"1"' }]);
    const cache = new BlueprintCache(s.fetch);
    const gets = [cache.get('a', '"1"'), cache.get('a', '"1"'), cache.get('a', '"1"')];
    s.release();
    expect((await Promise.all(gets)).map((b) => b.system_prompt)).toEqual(['v1', 'v1', 'v1']);
    expect(s.asked).toEqual([undefined]);
    expect(await cache.get('a', '"1"')).toMatchObject({ system_prompt: 'v1' });
    expect(cache.fetches).toBe(1);
  });

  it('refuses an answer that is not a blueprint, naming the field, and does not keep it', async () => {
    const s = source([
      { blueprint: { nme: 'a' }, etag: '"1"' },
      { blueprint: { name: 'a', system_prompt: 'v1' }, etag: '"1"' },
    ]);
    s.release();
    const cache = new BlueprintCache(s.fetch);
    await expect(cache.get('a', '"1"')).rejects.toThrow(/agent "a": the coordinator's answer is not a valid blueprint \(.*name/);
    expect(await cache.get('a', '"1"')).toMatchObject({ system_prompt: 'v1' });
    expect(s.asked).toEqual([undefined, undefined]);
  });
});
