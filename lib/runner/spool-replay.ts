import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { CoordinatorError } from '../client/coordinator-error.js';
import { RunnerApi } from '../client/runner-api.js';
import { RegistrationSchema, type Registration } from '../../protocol/runners.js';
import { processStartTime } from '../process/proc-table.js';
import { PRIVATE_FILE_MODE, stateFileNames } from '../state/state-dir.js';
import { OUTBOX_BATCH_ITEMS } from './report-outbox.js';
import { type ReportableItem, ReportableItemSchema, sendReports } from './run-reports.js';

/**
 * The outbox's spool files (`events-<pid>-<start time>-<random>.spool.jsonl` in the state folder) outlive
 * the runner that wrote them when the coordinator could not be reached. Each has a name no later process
 * can take (a reused pid has another start time; the random part covers the rest), and beside it
 * `<spool>.owner.json`: the coordinator and the registration it was written under. A runner that starts
 * replays the spools of runners that are gone, as their owner when the coordinator still knows it (so the
 * reports are applied), else as itself (reports of attempts that are over are skipped); a delivered spool
 * is removed, one that cannot be read or delivered is kept and said so in the log.
 */

/** Spool names: this version's, and `events-<pid>.spool.jsonl` of versions before it. */
const SPOOL_NAME = /^events-(\d+)(?:-(\d+)-[0-9a-f]+)?\.spool\.jsonl$/;
const OWNER_SUFFIX = '.owner.json';

const SpoolOwnerSchema = z.object({ coordinator_url: z.string(), registration: RegistrationSchema });

/** A spool path for this process that no other process, earlier or later, uses. */
export function newSpoolPath(stateDir: string): string {
  const startTime = processStartTime(process.pid) ?? String(Date.now());
  return join(stateDir, `events-${process.pid}-${startTime}-${randomBytes(4).toString('hex')}.spool.jsonl`);
}

/** Note under which registration the spool at `spoolPath` is written (again after each registration). */
export function recordSpoolOwner(spoolPath: string, coordinatorUrl: string, registration: Registration): void {
  writeFileSync(`${spoolPath}${OWNER_SUFFIX}`, JSON.stringify({ coordinator_url: coordinatorUrl, registration }), { mode: PRIVATE_FILE_MODE });
}

/** The runner leaves: its owner note goes unless a spool stays behind for a later runner to replay. */
export function forgetSpoolOwner(spoolPath: string): void {
  if (!existsSync(spoolPath)) rmSync(`${spoolPath}${OWNER_SUFFIX}`, { force: true });
}

/** Whether the runner that wrote the spool named `name` may still be running (then it is not ours to touch). */
function writerMayLive(name: string): boolean {
  const match = SPOOL_NAME.exec(name);
  if (match === null) return true;
  const pid = Number(match[1]);
  if (match[2] !== undefined) return processStartTime(pid) === match[2];
  // An old-style name says only the pid: ours is from an earlier life of this pid (a container's PID 1).
  return pid !== process.pid && processStartTime(pid) !== undefined;
}

/** Every item of a spool file, checked line by line; throws naming the line that is not one. */
export function readSpool(path: string): ReportableItem[] {
  const lines = readFileSync(path, 'utf8').split('\n').filter((line) => line !== '');
  return lines.map((line, index) => {
    const parsed = ReportableItemSchema.safeParse(safeJson(line));
    if (!parsed.success) throw new Error(`line ${index + 1}: ${parsed.error.issues[0]?.path.join('.') || 'item'}: ${parsed.error.issues[0]?.message ?? 'not a report item'}`);
    return parsed.data;
  });
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

function readOwner(spoolPath: string, coordinatorUrl: string): Registration | undefined {
  try {
    const owner = SpoolOwnerSchema.parse(JSON.parse(readFileSync(`${spoolPath}${OWNER_SUFFIX}`, 'utf8')));
    return owner.coordinator_url === coordinatorUrl ? owner.registration : undefined;
  } catch {
    return undefined; // none, or another version's: replay as ourselves
  }
}

async function deliver(api: RunnerApi, logger: Logger, items: readonly ReportableItem[]): Promise<void> {
  for (let start = 0; start < items.length; start += OUTBOX_BATCH_ITEMS) await sendReports(api, logger, items.slice(start, start + OUTBOX_BATCH_ITEMS));
}

/** Replay one spool of a runner that is gone; @returns whether it was delivered (and removed). */
async function replaySpool(path: string, api: RunnerApi, logger: Logger): Promise<boolean> {
  let items: ReportableItem[];
  try {
    items = readSpool(path);
  } catch (error) {
    logger.warn({ spool: path, err: (error as Error).message }, 'cannot read the spool of an earlier runner; keeping it');
    return false;
  }
  const owner = readOwner(path, api.baseUrl);
  try {
    if (owner === undefined) await deliver(api, logger, items);
    else {
      const asOwner = new RunnerApi(api.baseUrl);
      asOwner.adopt(owner);
      try {
        await deliver(asOwner, logger, items);
      } catch (error) {
        // The coordinator forgot that runner: what is left to apply is refused or skipped either way.
        if (!(error instanceof CoordinatorError && error.status === 401)) throw error;
        await deliver(api, logger, items);
      } finally {
        await asOwner.close();
      }
    }
  } catch (error) {
    logger.warn({ spool: path, items: items.length, err: (error as Error).message }, 'could not deliver the spool of an earlier runner; keeping it for the next start');
    return false;
  }
  rmSync(path, { force: true });
  rmSync(`${path}${OWNER_SUFFIX}`, { force: true });
  logger.info({ spool: path, items: items.length }, 'replayed the spool of an earlier runner');
  return true;
}

/** Replay (or report) every spool in `stateDir` whose runner is gone; `api` is this runner's, registered. */
export async function replayEarlierSpools(stateDir: string, ownSpool: string, api: RunnerApi, logger: Logger): Promise<void> {
  const names = stateFileNames(stateDir);
  for (const name of names) {
    const path = join(stateDir, name);
    if (path === ownSpool || path === `${ownSpool}${OWNER_SUFFIX}`) continue;
    if (name.endsWith(OWNER_SUFFIX)) {
      // An owner note of a runner that is gone and left no spool: nothing to replay, tidy it up.
      const spool = name.slice(0, -OWNER_SUFFIX.length);
      if (!names.includes(spool) && !writerMayLive(spool)) rmSync(path, { force: true });
      continue;
    }
    if (!SPOOL_NAME.test(name) || writerMayLive(name)) continue;
    await replaySpool(path, api, logger);
  }
}
