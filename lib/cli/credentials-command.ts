/**
 * `agent-runner credentials list|check|encrypt|decrypt`: a runner's credential profiles (docs/runner.md,
 * "Credential profiles"). The file is `--credentials FILE`, else AGENT_RUNNER_CREDENTIALS. Nothing here
 * prints a value of a profile: names of variables only.
 */
import { chmodSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { checkProfile, type ProfileCheck } from '../credentials/check-profile.js';
import { CREDENTIALS_KEY_ENV, CredentialsCipherError, isSealed, seal, unseal } from '../credentials/credentials-cipher.js';
import { CredentialsFileError, loadCredentialsFile, parseCredentials, profileSummary, type CredentialProfile } from '../credentials/credentials-file.js';
import { parseDuration } from '../../protocol/duration.js';
import { RUNNER_ENV } from '../runner/runner-config.js';
import { CliError, EXIT_USAGE } from './cli-error.js';
import type { SystemStatus } from '../../protocol/status.js';
import { localClock, renderTable } from './format-values.js';
import { makeStyle } from './style.js';
import { terminalText } from './terminal-text.js';
import { type ClientOptions, withConnection } from './with-connection.js';

export interface CredentialsOptions extends ClientOptions {
  credentials?: string;
  json?: boolean;
  timeout?: string;
}

type Park = NonNullable<SystemStatus['rate_limits']>[number];

/** What the coordinator knows of each profile now: its parks (a rate limit's reset), by profile name. */
async function parksByProfile(options: CredentialsOptions): Promise<Map<string, Park[]>> {
  const status = await withConnection(options, false, ({ api }) => api.getStatus());
  const parks = new Map<string, Park[]>();
  for (const park of status.rate_limits ?? []) parks.set(park.profile, [...(parks.get(park.profile) ?? []), park]);
  return parks;
}

/** A profile's state in words: `ok`, or `parked until 21:20 (2 runs waiting)`, per model when a park is for one. */
function describeState(parks: readonly Park[] | undefined): string {
  if (parks === undefined || parks.length === 0) return 'ok';
  return parks
    .map((p) => `parked${p.model === null ? '' : ` for ${terminalText(p.model)}`} until ${localClock(Date.parse(p.until))} (${p.runs_waiting} run${p.runs_waiting === 1 ? '' : 's'} waiting)`)
    .join('; ');
}

/** The credentials file named by the flag or the environment, as an absolute path. */
function credentialsPath(options: CredentialsOptions, file?: string): string {
  const named = file ?? options.credentials ?? process.env[RUNNER_ENV.credentials];
  if (named === undefined || named === '') throw new CliError(`name the credentials file: --credentials FILE (or ${RUNNER_ENV.credentials})`, EXIT_USAGE);
  return resolve(named);
}

function load(path: string): CredentialProfile[] {
  try {
    return loadCredentialsFile(path, { key: process.env[CREDENTIALS_KEY_ENV] });
  } catch (error) {
    if (error instanceof CredentialsFileError) throw new CliError(error.message, EXIT_USAGE);
    throw error;
  }
}

const list = (items: readonly string[] | null) => (items === null ? 'any' : terminalText(items.join(',')));

/**
 * `credentials list`: each profile's name, weight, models, executors and variable names, and its state as
 * the coordinator knows it (ok, or parked until a rate limit's reset); whether the file is sealed.
 */
export async function credentialsListCommand(options: CredentialsOptions): Promise<number> {
  const path = credentialsPath(options);
  const profiles = load(path);
  const sealed = isSealed(readFileSync(path, 'utf8'));
  const parks = await parksByProfile(options);
  if (options.json === true) {
    const listed = profiles.map((p) => ({ ...profileSummary(p), parks: (parks.get(p.name) ?? []).map(({ model, until, message, runs_waiting }) => ({ model, until, message, runs_waiting })) }));
    process.stdout.write(`${JSON.stringify({ file: path, encrypted: sealed, profiles: listed }, null, 2)}\n`);
    return 0;
  }
  const style = makeStyle(process.stdout);
  const rows = profiles.map((p) => {
    const s = profileSummary(p);
    return [terminalText(s.name), String(s.weight), list(s.models), list(s.executors), terminalText(s.variables.join(',')), describeState(parks.get(p.name))];
  });
  process.stdout.write(
    renderTable(['PROFILE', 'WEIGHT', 'MODELS', 'EXECUTORS', 'VARIABLES', 'STATE'], rows, style, { paint: (row, column, text) => (column === 5 && parks.has(profiles[row]!.name) ? style.yellow(text) : text) }),
  );
  process.stdout.write(style.dim(`${terminalText(path)}: ${profiles.length} profile${profiles.length === 1 ? '' : 's'}, ${sealed ? 'encrypted' : 'not encrypted'}\n`));
  return 0;
}

/** `credentials check`: ask each profile's API whether its key works now; exit 1 when one fails. */
export async function credentialsCheckCommand(options: CredentialsOptions): Promise<number> {
  const path = credentialsPath(options);
  const profiles = load(path);
  let timeoutMs = 10_000;
  if (options.timeout !== undefined) {
    try {
      timeoutMs = parseDuration(options.timeout, '--timeout');
    } catch (error) {
      throw new CliError((error as Error).message, EXIT_USAGE);
    }
  }
  const checks: ProfileCheck[] = await Promise.all(profiles.map((profile) => checkProfile(profile, { timeoutMs })));
  const failed = checks.some((c) => c.state === 'failing' || c.state === 'unreachable');
  if (options.json === true) {
    process.stdout.write(`${JSON.stringify({ file: path, profiles: checks }, null, 2)}\n`);
    return failed ? 1 : 0;
  }
  const style = makeStyle(process.stdout);
  const paint = (state: ProfileCheck['state'], text: string) =>
    state === 'ok' ? style.green(text) : state === 'rate_limited' ? style.yellow(text) : state === 'not_checked' ? style.dim(text) : style.red(text);
  const rows = checks.map((c) => [terminalText(c.profile), c.state.replace('_', ' '), terminalText(c.retry_at === undefined ? c.detail : `${c.detail} (until ${c.retry_at})`)]);
  process.stdout.write(renderTable(['PROFILE', 'STATE', 'DETAIL'], rows, style, { paint: (row, column, text) => (column === 1 ? paint(checks[row]!.state, text) : text) }));
  return failed ? 1 : 0;
}

/** Replace `path` by `text`, readable by its owner only, in one rename (never a half-written file). */
function writePrivate(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, text, { mode: 0o600, flag: 'wx' });
  chmodSync(temporary, 0o600);
  renameSync(temporary, path);
}

function passphrase(): string {
  const key = process.env[CREDENTIALS_KEY_ENV];
  if (key === undefined || key === '') throw new CliError(`set ${CREDENTIALS_KEY_ENV} to the passphrase`, EXIT_USAGE);
  return key;
}

/** `credentials encrypt FILE`: seal a plain file in place (checked first: a broken file is not sealed). */
export async function credentialsEncryptCommand(file: string | undefined, options: CredentialsOptions): Promise<number> {
  const path = credentialsPath(options, file);
  const key = passphrase();
  const profiles = load(path); // checks access and content; a sealed file is refused below
  const text = readFileSync(path, 'utf8');
  if (isSealed(text)) throw new CliError(`${path}: already encrypted`, EXIT_USAGE);
  writePrivate(path, seal(text, key));
  process.stdout.write(`${terminalText(path)}: encrypted (${profiles.length} profile${profiles.length === 1 ? '' : 's'}); the runner opens it with ${CREDENTIALS_KEY_ENV}\n`);
  return 0;
}

/** `credentials decrypt FILE`: open a sealed file in place, to edit it (then encrypt it again). */
export async function credentialsDecryptCommand(file: string | undefined, options: CredentialsOptions): Promise<number> {
  const path = credentialsPath(options, file);
  load(path); // checks access, the passphrase and the content
  const text = readFileSync(path, 'utf8');
  if (!isSealed(text)) throw new CliError(`${path}: not encrypted`, EXIT_USAGE);
  let plain: string;
  try {
    plain = unseal(text, passphrase());
    parseCredentials(plain, path);
  } catch (error) {
    if (error instanceof CredentialsCipherError || error instanceof CredentialsFileError) throw new CliError(`${path}: ${error.message}`, EXIT_USAGE);
    throw error;
  }
  writePrivate(path, plain);
  process.stdout.write(`${terminalText(path)}: decrypted in place (mode 0600); encrypt it again when done\n`);
  return 0;
}
