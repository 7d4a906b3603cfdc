import { randomBytes } from 'node:crypto';

/** A new id with a type prefix (`ses_`, `run_`, `rnr_`, `ntf_`, `q_`, `crd_` a coordinator process, `wfr_` a workflow run) and 16 lowercase characters from 12 random bytes. */
export function newId(prefix: 'ses' | 'run' | 'rnr' | 'ntf' | 'q' | 'crd' | 'wfr'): string {
  return `${prefix}_${randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').toLowerCase()}`;
}

/** A new runner bearer token (32 random bytes). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}
