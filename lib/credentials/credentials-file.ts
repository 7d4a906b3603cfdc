/**
 * A runner's credential profiles (`--credentials FILE`): named sets of environment variables (API keys,
 * OAuth tokens, base URLs) one of which each run gets, with an optional `weight`, the `models` a profile may
 * serve and the `executors` it is for. The file is YAML (or JSON), readable by its owner only, and may be
 * sealed (credentials-cipher.ts). Its values never leave this process except into the environment of the
 * one run given that profile: errors name fields, never values.
 */
import { readFileSync, statSync } from 'node:fs';
import { z } from 'zod';
import { didYouMean } from '../../protocol/did-you-mean.js';
import { formatPath } from '../../protocol/field-issues.js';
import { isRunnerSecret, RUN_ENV_NAMES } from '../process/executor-env.js';
import { readWorkflowFile } from '../workflow/read-workflow-file.js';
import { CredentialsCipherError, isSealed, unseal } from './credentials-cipher.js';

/** One profile: its secrets (`env`) and where it may be used. */
export interface CredentialProfile {
  name: string;
  env: Readonly<Record<string, string>>;
  /** Models this profile may serve; null: any. */
  models: readonly string[] | null;
  /** Its share of the runs, relative to the other profiles (round robin by weight). */
  weight: number;
  /** Executors whose runs get this profile; null: every executor. */
  executors: readonly string[] | null;
}

/** What may be shown of a profile anywhere (the coordinator, logs, `credentials list`): never a value. */
export interface CredentialProfileSummary {
  name: string;
  weight: number;
  models: readonly string[] | null;
  executors: readonly string[] | null;
  /** The names of its variables. */
  variables: string[];
}

/** The largest credentials file read. */
export const MAX_CREDENTIALS_FILE_BYTES = 1024 * 1024;
/** The most profiles one file holds. */
export const MAX_PROFILES = 100;
export const PROFILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A credentials file that cannot be used: its message names the file, the place, the field and why. */
export class CredentialsFileError extends Error {
  override name = 'CredentialsFileError';
}

/** Why an environment variable may not be set by a profile, or undefined. */
function envNameProblem(name: string): string | undefined {
  if (!ENV_NAME.test(name)) return 'is not an environment variable name';
  if (isRunnerSecret(name)) return "is the runner's own secret, which never reaches an executor";
  if (name.startsWith('AGENT_') || (RUN_ENV_NAMES as readonly string[]).includes(name)) return 'is set by the runner for each run (AGENT_* and TRACEPARENT are reserved)';
  return undefined;
}

const nonEmptyList = (what: string) =>
  z
    .array(z.string({ message: `a ${what} must be a string` }).min(1, { message: `a ${what} must not be empty` }).max(200, { message: `a ${what} is at most 200 characters` }), {
      message: `must be a list of ${what}s`,
    })
    .min(1, { message: `list at least one ${what}, or leave the field out` })
    .refine((items) => new Set(items).size === items.length, { message: `a ${what} is listed twice` });

/** An object's error when it is not one (its unknown fields are named one by one: see fieldIssues). */
const objectErrors = (expected: string) => ({ error: (issue: { code?: string }) => (issue.code === 'invalid_type' ? expected : undefined) });

const PROFILE_FIELDS = ['env', 'weight', 'models', 'executors', 'description'] as const;

const ProfileSchema = z.strictObject(
  {
    env: z
      .record(z.string(), z.string({ message: 'must be a string (quote numbers)' }).min(1, { message: 'must not be empty' }).max(16_384, { message: 'is longer than 16384 characters' }), {
        message: 'must be an object of environment variables',
      })
      .superRefine((env, ctx) => {
        const names = Object.keys(env);
        if (names.length === 0) ctx.addIssue({ code: 'custom', message: 'name at least one variable (e.g. ANTHROPIC_API_KEY)' });
        for (const name of names) {
          const problem = envNameProblem(name);
          if (problem !== undefined) ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" ${problem}` });
        }
      }),
    weight: z.number({ message: 'must be a number' }).positive({ message: 'must be more than 0' }).max(1000, { message: 'must be at most 1000' }).optional(),
    models: nonEmptyList('model').optional(),
    executors: nonEmptyList('executor').optional(),
    description: z.string({ message: 'must be a string' }).max(500, { message: 'is at most 500 characters' }).optional(),
  },
  objectErrors('must be an object with env (and optionally weight, models, executors, description)'),
);

const CredentialsFileSchema = z.strictObject(
  {
    profiles: z.record(z.string(), ProfileSchema, { message: 'must be an object of profiles by name' }).superRefine((profiles, ctx) => {
      const names = Object.keys(profiles);
      if (names.length === 0) ctx.addIssue({ code: 'custom', message: 'name at least one profile' });
      if (names.length > MAX_PROFILES) ctx.addIssue({ code: 'custom', message: `at most ${MAX_PROFILES} profiles` });
      for (const name of names) {
        if (!PROFILE_NAME.test(name)) ctx.addIssue({ code: 'custom', path: [name], message: `"${name}" is not a profile name (letters, digits, ".", "_", "-"; at most 64)` });
      }
    }),
  },
  objectErrors('must be an object with profiles'),
);

/** The schema's issues, an unknown field each its own issue at its own place, with the field it was likely meant to be. */
function fieldIssues(error: z.ZodError): Array<{ path: Array<string | number>; message: string }> {
  return error.issues.flatMap((issue) => {
    const path = issue.path as Array<string | number>;
    if (issue.code !== 'unrecognized_keys') return [{ path, message: issue.message }];
    const fields = path.length === 0 ? ['profiles'] : PROFILE_FIELDS;
    return issue.keys.map((key) => ({ path: [...path, key], message: `unknown field${didYouMean(key, fields)}` }));
  });
}

/** Refuse a file others may read or write, or another user's (as ssh does with a private key). */
function checkFileAccess(path: string): void {
  let stats;
  try {
    stats = statSync(path);
  } catch (error) {
    throw new CredentialsFileError(`${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  if (!stats.isFile()) throw new CredentialsFileError(`${path}: not a file`);
  if (stats.size > MAX_CREDENTIALS_FILE_BYTES) throw new CredentialsFileError(`${path}: larger than ${MAX_CREDENTIALS_FILE_BYTES} bytes`);
  const mode = stats.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new CredentialsFileError(`${path}: others may ${mode & 0o044 ? 'read' : 'change'} it (mode ${mode.toString(8).padStart(4, '0')}); make it yours alone: chmod 600 ${path}`);
  }
  const uid = process.getuid?.();
  if (uid !== undefined && uid !== 0 && stats.uid !== uid) throw new CredentialsFileError(`${path}: owned by another user (uid ${stats.uid}); it must be this user's`);
}

/** Parse a credentials file's plain text into profiles (in the file's order), every problem at its place. */
export function parseCredentials(text: string, file: string): CredentialProfile[] {
  const read = readWorkflowFile(text, 'credential profiles');
  if (!read.ok) {
    throw new CredentialsFileError(read.issues.map((issue) => `${file}${issue.line === null ? '' : `:${issue.line}:${issue.col}`}: ${issue.message}`).join('\n'));
  }
  const parsed = CredentialsFileSchema.safeParse(read.document);
  if (!parsed.success) {
    throw new CredentialsFileError(
      fieldIssues(parsed.error)
        .map((issue) => {
          const at = read.locate(issue.path);
          return `${file}${at === null ? '' : `:${at.line}:${at.col}`}: ${formatPath(issue.path)}: ${issue.message}`;
        })
        .join('\n'),
    );
  }
  return Object.entries(parsed.data.profiles).map(([name, p]) => ({
    name,
    env: Object.freeze({ ...p.env }),
    models: p.models ?? null,
    weight: p.weight ?? 1,
    executors: p.executors ?? null,
  }));
}

/**
 * Read `--credentials FILE`: refused when others may read it, opened with the passphrase when sealed
 * (`key`, from AGENT_RUNNER_CREDENTIALS_KEY), then parsed and checked.
 */
export function loadCredentialsFile(path: string, options: { key?: string | undefined } = {}): CredentialProfile[] {
  checkFileAccess(path);
  let text = readFileSync(path, 'utf8');
  if (isSealed(text)) {
    try {
      text = unseal(text, options.key);
    } catch (error) {
      if (error instanceof CredentialsCipherError) throw new CredentialsFileError(`${path}: ${error.message}`);
      throw error;
    }
  }
  return parseCredentials(text, path);
}

/** A profile as it may be shown: its names, never its values. */
export function profileSummary(profile: CredentialProfile): CredentialProfileSummary {
  return { name: profile.name, weight: profile.weight, models: profile.models, executors: profile.executors, variables: Object.keys(profile.env).sort() };
}
