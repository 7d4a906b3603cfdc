import { createHash } from 'node:crypto';
import type { AgentDocument } from '../../protocol/agents.js';

/** A strong ETag for a stored blueprint: runners cache blueprints and revalidate with If-None-Match. Pure. */
export function agentEtag(doc: AgentDocument): string {
  return `"${createHash('sha256').update(JSON.stringify(doc)).digest('base64url').slice(0, 22)}"`;
}

/** Whether an If-None-Match header matches `etag` (a list, `*`, or weak `W/` forms). Pure. */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  return header.split(',').some((tag) => {
    const t = tag.trim();
    return t === '*' || t === etag || t === `W/${etag}`;
  });
}
