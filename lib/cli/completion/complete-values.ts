import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { discoverExecutors } from '../../discovery/discover-executors.js';
import { executorSearchDirs } from '../../discovery/search-dirs.js';
import { UserApi } from '../../client/user-api.js';
import { localCoordinatorUrl } from '../../client/local-coordinator.js';
import { RUNNER_ENV } from '../../runner/runner-config.js';

/** How long `__complete` waits for a coordinator to answer before it completes without it (a shell is waiting on a keystroke). */
export const COMPLETE_TIMEOUT_MS = 300;
/** Recent sessions offered for a session id. */
const SESSIONS_OFFERED = 50;

/** What `__complete` lists. */
export const COMPLETE_KINDS = ['executors', 'agents', 'sessions', 'skills'] as const;
export type CompleteKind = (typeof COMPLETE_KINDS)[number];
const isCompleteKind = (kind: string): kind is CompleteKind => (COMPLETE_KINDS as readonly string[]).includes(kind);

/** A coordinator that answers within COMPLETE_TIMEOUT_MS (the one the client commands would use), or none. Never starts one. */
async function reachableCoordinator(): Promise<UserApi | undefined> {
  let url: string;
  try {
    url = process.env[RUNNER_ENV.coordinatorUrl] || localCoordinatorUrl();
  } catch {
    return undefined;
  }
  let api: UserApi;
  try {
    api = new UserApi(url, process.env.AGENT_COORDINATOR_TOKEN);
  } catch {
    return undefined;
  }
  if (await api.healthy(COMPLETE_TIMEOUT_MS)) return api;
  await api.close();
  return undefined;
}

/** Agent names of `./agents/*.json` (what a coordinator started here would load). */
function agentFiles(cwd: string): string[] {
  try {
    return readdirSync(join(cwd, 'agents')).filter((f) => f.endsWith('.json')).map((f) => f.slice(0, -5));
  } catch {
    return [];
  }
}

async function names(kind: CompleteKind, cwd: string): Promise<string[]> {
  if (kind === 'executors') return discoverExecutors(executorSearchDirs({ cwd })).executors.map((e) => e.name);
  const api = await reachableCoordinator();
  if (api === undefined) return kind === 'agents' ? agentFiles(cwd) : [];
  try {
    if (kind === 'agents') return (await api.listAgents()).agents.map((a) => a.name);
    if (kind === 'skills') return (await api.listSkills()).skills.map((s) => s.name);
    return (await api.listSessions({ limit: SESSIONS_OFFERED })).sessions.map((s) => s.session_id);
  } finally {
    await api.close();
  }
}

/**
 * `agent-runner __complete executors|agents|sessions|skills` (hidden; the completion scripts call it): one name a
 * line. Quiet and quick whatever happens: no coordinator, an error, an unknown kind all print nothing.
 */
export async function completeValuesCommand(kind: string): Promise<number> {
  if (!isCompleteKind(kind)) return 0;
  try {
    const found = await names(kind, process.cwd());
    // Only names a shell can take as one word: nothing with whitespace or control characters.
    const words = [...new Set(found)].filter((n) => n !== '' && !/[\s\x00-\x1f\x7f]/.test(n));
    if (words.length > 0) process.stdout.write(`${words.join('\n')}\n`);
  } catch {
    // A shell completing a word has no use for an error message.
  }
  return 0;
}
