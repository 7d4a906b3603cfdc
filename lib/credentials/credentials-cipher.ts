/**
 * A credentials file encrypted at rest: the whole file's text sealed with AES-256-GCM under a key derived
 * with scrypt from the passphrase in AGENT_RUNNER_CREDENTIALS_KEY (a random salt and IV per sealing). The
 * sealed file is one JSON object, so it is recognised by its first field and never mistaken for a plain one.
 */
// node:crypto is taken when a file is sealed or opened, not when this module loads: the runner's
// configuration imports it, and client commands that never read a credentials file start without it.
const crypto = () => process.getBuiltinModule('node:crypto');

/** The environment variable holding the passphrase (a runner secret: it never reaches an executor). */
export const CREDENTIALS_KEY_ENV = 'AGENT_RUNNER_CREDENTIALS_KEY';

/** The marker field and version of a sealed file. */
const MARKER = 'agent_runner_credentials';
const VERSION = 1;
/** scrypt's cost: 2^15 × 8 × 128 B = 32 MiB and ~100 ms, once when the runner starts. */
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

interface SealedFile {
  [MARKER]: number;
  cipher: 'aes-256-gcm';
  kdf: { name: 'scrypt'; N: number; r: number; p: number; salt: string };
  iv: string;
  tag: string;
  data: string;
}

/** Why a sealed file could not be opened; the message never holds the key or the content. */
export class CredentialsCipherError extends Error {
  override name = 'CredentialsCipherError';
}

const deriveKey = (passphrase: string, salt: Buffer, kdf: { N: number; r: number; p: number }): Buffer =>
  crypto().scryptSync(passphrase, salt, 32, { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: SCRYPT.maxmem });

/** Whether `text` is a sealed credentials file (its JSON has the marker field). */
export function isSealed(text: string): boolean {
  if (!text.trimStart().startsWith('{')) return false;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    return typeof parsed === 'object' && parsed !== null && MARKER in parsed;
  } catch {
    return false;
  }
}

/** Seal `plain` with a key derived from `passphrase`. */
export function seal(plain: string, passphrase: string): string {
  if (passphrase === '') throw new CredentialsCipherError(`${CREDENTIALS_KEY_ENV} is empty`);
  const salt = crypto().randomBytes(16);
  const iv = crypto().randomBytes(12);
  const cipher = crypto().createCipheriv('aes-256-gcm', deriveKey(passphrase, salt, SCRYPT), iv);
  const data = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  const sealed: SealedFile = {
    [MARKER]: VERSION,
    cipher: 'aes-256-gcm',
    kdf: { name: 'scrypt', N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p, salt: salt.toString('base64') },
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
  return `${JSON.stringify(sealed, null, 2)}\n`;
}

/** Open a sealed file's text with `passphrase`; refuses a wrong key or an altered file (GCM's tag). */
export function unseal(text: string, passphrase: string | undefined): string {
  if (passphrase === undefined || passphrase === '') throw new CredentialsCipherError(`the file is encrypted: set ${CREDENTIALS_KEY_ENV} to its passphrase`);
  const sealed = JSON.parse(text) as Partial<SealedFile>;
  if (sealed[MARKER] !== VERSION) throw new CredentialsCipherError(`${MARKER}: version ${String(sealed[MARKER])} is not known (this runner reads ${VERSION})`);
  if (sealed.cipher !== 'aes-256-gcm') throw new CredentialsCipherError('cipher: must be "aes-256-gcm"');
  const kdf = sealed.kdf;
  if (kdf?.name !== 'scrypt' || ![kdf.N, kdf.r, kdf.p].every((n) => Number.isInteger(n) && n > 0) || kdf.N > 1 << 20 || kdf.r > 32 || kdf.p > 16) {
    throw new CredentialsCipherError('kdf: must be scrypt with N at most 2^20, r at most 32, p at most 16');
  }
  const bytes = (field: 'iv' | 'tag' | 'data', value: unknown, length?: number): Buffer => {
    const buffer = typeof value === 'string' ? Buffer.from(value, 'base64') : Buffer.alloc(0);
    if (typeof value !== 'string' || (length !== undefined && buffer.length !== length)) throw new CredentialsCipherError(`${field}: must be base64${length === undefined ? '' : ` of ${length} bytes`}`);
    return buffer;
  };
  const iv = bytes('iv', sealed.iv, 12);
  const tag = bytes('tag', sealed.tag, 16);
  const data = bytes('data', sealed.data);
  if (typeof kdf.salt !== 'string') throw new CredentialsCipherError('kdf.salt: must be base64');
  let key: Buffer;
  try {
    key = deriveKey(passphrase, Buffer.from(kdf.salt, 'base64'), kdf);
  } catch {
    throw new CredentialsCipherError('kdf: its parameters cannot be used');
  }
  try {
    const decipher = crypto().createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
  } catch {
    throw new CredentialsCipherError(`cannot decrypt it with ${CREDENTIALS_KEY_ENV} (a wrong passphrase, or the file was altered)`);
  }
}
