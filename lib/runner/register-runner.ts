import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { CoordinatorError } from '../client/coordinator-error.js';
import type { RunnerApi } from '../client/runner-api.js';
import type { Registration } from '../../protocol/runners.js';
import type { CredentialProfileSummary } from '../credentials/credentials-file.js';
import { backoffDelay, RUNNER_BACKOFF, sleep } from '../retry/backoff.js';
import { executorLauncher } from '../process/native-spawn.js';

/**
 * Register with the coordinator, retrying with backoff while it cannot be reached (a runner may start
 * before its coordinator). A considered refusal (a bad API token, invalid executors) throws at once, as
 * does a retry cut short by `signal` (a shutdown). `offer` is what this runner serves.
 */
export async function registerWithRetry(
  api: RunnerApi,
  offer: { executors: string[]; tags: string[]; concurrency: number; credentialProfiles?: CredentialProfileSummary[]; defaultExecutor?: string },
  logger: Logger,
  signal: AbortSignal,
): Promise<Registration> {
  for (let attempt = 1; ; attempt++) {
    try {
      const registration = await api.register({
        name: `${hostname()}:${process.pid}`,
        hostname: hostname(),
        executors: offer.executors,
        tags: offer.tags,
        capacity: offer.concurrency,
        ...(offer.credentialProfiles === undefined || offer.credentialProfiles.length === 0 ? {} : { credential_profiles: offer.credentialProfiles }),
        ...(offer.defaultExecutor === undefined ? {} : { default_executor: offer.defaultExecutor }),
      });
      const profiles = offer.credentialProfiles?.map((p) => p.name);
      logger.info({ runner: registration.runner_id, executors: offer.executors, tags: offer.tags, concurrency: offer.concurrency, launcher: executorLauncher(), ...(profiles?.length ? { credential_profiles: profiles } : {}) }, 'registered with the coordinator');
      return registration;
    } catch (error) {
      if (error instanceof CoordinatorError && !error.retryable) throw error;
      if (signal.aborted) throw error;
      const delay = backoffDelay(attempt, RUNNER_BACKOFF);
      logger.warn({ err: (error as Error).message, retry_in_ms: delay }, 'cannot register; will retry');
      await sleep(delay, signal);
    }
  }
}
