/** Opaque page cursors: base64url of `v1:<position>`. */
const PREFIX = 'v1:';

/** Encode a list position (a row's sequence number) as a cursor. */
export function encodeCursor(position: number): string {
  return Buffer.from(`${PREFIX}${position}`).toString('base64url');
}

/** Decode a cursor; `null` when it is not one of ours. */
export function decodeCursor(cursor: string): number | null {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!text.startsWith(PREFIX)) return null;
  const rest = text.slice(PREFIX.length);
  if (!/^\d{1,15}$/.test(rest)) return null;
  return Number(rest);
}
