import { randomBytes, randomFillSync } from 'node:crypto';

/** Random bytes for ids, drawn from the CSPRNG a pool at a time (as Node's randomUUID does): one call per 128 ids. */
const ID_BYTES = 12;
const pool = Buffer.alloc(ID_BYTES * 128);
let used = pool.length;

function idBytes(): Buffer {
  if (used + ID_BYTES > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const bytes = pool.subarray(used, used + ID_BYTES);
  used += ID_BYTES;
  return bytes;
}

/**
 * A new id with a type prefix (`ses_`, `run_`, `rnr_`, `ntf_`, `q_`, `crd_` a coordinator process, `wfr_` a
 * workflow run) and 16 lowercase characters from 12 random bytes. The bytes come from a pool: a
 * randomBytes(12) per id was ~1.5% of the coordinator's busy time on the peers bench (two ids a
 * session); a pooled draw is ~25 times cheaper.
 */
export function newId(prefix: 'ses' | 'run' | 'rnr' | 'ntf' | 'q' | 'crd' | 'wfr'): string {
  return `${prefix}_${idBytes().toString('base64url').replace(/[-_]/g, 'x').toLowerCase()}`;
}

/** A new runner bearer token (32 random bytes, not from the pool: a secret is not kept in memory beside others). */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}
