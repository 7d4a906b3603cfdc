import { newId } from '../../coordinator/ids.js';
import { InvocationSchema, SCHEMA_VERSION, type AgentBlueprint, type Invocation, type InvocationMetadata, type InvocationMode } from '../../protocol/invocation.js';
import { formatFieldIssues, toFieldIssues } from '../../protocol/field-issues.js';

/** A new session id in the coordinator's format (coordinator/ids.ts): `ses_` and 16 characters of [0-9a-z]. */
export function newSessionId(): string {
  return newId('ses');
}

export interface InvocationParts {
  mode: InvocationMode;
  sessionId: string;
  prompt: string;
  projectDir: string;
  blueprint?: AgentBlueprint | undefined;
  metadata?: InvocationMetadata | undefined;
}

/** An invocation that failed validation; `message` names every bad field and why. */
export class InvalidInvocationError extends Error {
  override name = 'InvalidInvocationError';
}

/** Assemble a Schema 2.0 invocation and validate it: we never hand an executor a document we would reject. */
export function buildInvocation(parts: InvocationParts): Invocation {
  const candidate: Record<string, unknown> = {
    schema_version: SCHEMA_VERSION,
    mode: parts.mode,
    session_id: parts.sessionId,
    prompt: parts.prompt,
    project_dir: parts.projectDir,
  };
  if (parts.blueprint !== undefined) candidate.agent_blueprint = parts.blueprint;
  if (parts.metadata !== undefined && Object.keys(parts.metadata).length > 0) candidate.metadata = parts.metadata;
  const parsed = InvocationSchema.safeParse(candidate);
  if (!parsed.success) throw new InvalidInvocationError(formatFieldIssues(toFieldIssues(parsed.error)));
  return parsed.data;
}
