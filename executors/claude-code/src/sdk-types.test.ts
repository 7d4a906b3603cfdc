import { describe, expect, it } from 'vitest';
import type * as Sdk from '@anthropic-ai/claude-agent-sdk';
import { loadSdk } from './load-sdk.js';
import type { AgentSdk, SdkOptions, SdkQuery } from './sdk-types.js';

// Compile-time checks (npm run typecheck): the slice declared in sdk-types.ts fits the installed SDK.
type Assert<T extends true> = T;
export type OptionsFit = Assert<SdkOptions extends Sdk.Options ? true : false>;
export type QueryFits = Assert<Sdk.Query extends SdkQuery ? true : false>;
export type ModuleFits = Assert<typeof Sdk extends AgentSdk ? true : false>;

describe('the Agent SDK as installed', () => {
  it('loads and has query()', async () => {
    const loaded = await loadSdk();
    expect(loaded.ok).toBe(true);
  });

  it('reports a missing module in one sentence that says how to install it', async () => {
    const loaded = await loadSdk('@anthropic-ai/no-such-sdk-package');
    expect(loaded).toEqual({
      ok: false,
      reason:
        'the Claude Agent SDK (@anthropic-ai/no-such-sdk-package) is not installed, so Claude Code cannot run: ' +
        'reinstall agent-runner with its optional dependencies (`npm ci`, without --omit=optional)',
    });
  });

  it('refuses a module without query()', async () => {
    const loaded = await loadSdk('node:path');
    expect(loaded).toEqual({ ok: false, reason: 'node:path has no query() function; is it the Claude Agent SDK?' });
  });
});
