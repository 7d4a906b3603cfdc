/**
 * Loading the Claude Agent SDK, an optional dependency: when it was left out (`npm ci --omit=optional`) the
 * executor says so in one line instead of crashing on an import.
 */
import type { AgentSdk } from './sdk-types.js';

export const SDK_MODULE = '@anthropic-ai/claude-agent-sdk';

export type LoadedSdk = { ok: true; sdk: AgentSdk } | { ok: false; reason: string };

/** Import the SDK (or another module, for tests). Never throws. */
export async function loadSdk(specifier: string = SDK_MODULE): Promise<LoadedSdk> {
  try {
    const module = (await import(specifier)) as Partial<AgentSdk>;
    if (typeof module.query !== 'function') return { ok: false, reason: `${specifier} has no query() function; is it the Claude Agent SDK?` };
    return { ok: true, sdk: module as AgentSdk };
  } catch (error) {
    const err = error as NodeJS.ErrnoException;
    if (err.code === 'ERR_MODULE_NOT_FOUND' && err.message.includes(specifier)) {
      return {
        ok: false,
        reason:
          `the Claude Agent SDK (${specifier}) is not installed, so Claude Code cannot run: ` +
          'reinstall agent-runner with its optional dependencies (`npm ci`, without --omit=optional)',
      };
    }
    return { ok: false, reason: `cannot load ${specifier}: ${err.message.split('\n')[0]}` };
  }
}
