import { createHash } from 'node:crypto';
import type { AgentDocument } from '../types.js';

/**
 * The version of an agent blueprint as an HTTP entity tag: a hash of its JSON. Runners cache blueprints
 * by name and revalidate with `If-None-Match`; a claimed run carries the tag so an unchanged blueprint
 * costs no request at all.
 */
export function agentEtag(doc: AgentDocument): string {
  return `"${createHash('sha256').update(JSON.stringify(doc)).digest('base64url').slice(0, 22)}"`;
}

/** Whether an `If-None-Match` header value matches the tag (a list, `*`, or weak `W/` forms). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((part) => {
    const tag = part.trim().replace(/^W\//, '');
    return tag === '*' || tag === etag;
  });
}
