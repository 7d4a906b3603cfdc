/**
 * The agent blueprint file, `<name>.json`: what the coordinator's agents folder, `agents validate` and
 * `agents apply` accept, checked by the one function below so the three never disagree.
 */
import { AGENT_NAME, AgentDocumentSchema, type AgentDocument } from './agents.js';
import { toFieldIssues, type FieldIssue } from './field-issues.js';
import { findDeepNesting, findNul } from './json-shape.js';

/** Largest blueprint file read, in bytes: 4 MiB, the coordinator's default request body limit (a PUT of the same document). */
export const MAX_AGENT_FILE_BYTES = 4 * 1024 * 1024;

/** The file extension of a blueprint file. */
export const AGENT_FILE_EXTENSION = '.json';

/** A checked blueprint file: its document, or every issue found (each naming the field). */
export type AgentFileCheck = { ok: true; agent: AgentDocument } | { ok: false; issues: FieldIssue[] };

/** The agent a file name stands for (`reviewer.json` → `reviewer`), or null when it is no valid agent name. Pure. */
export function agentNameOfFile(fileName: string): string | null {
  if (!fileName.endsWith(AGENT_FILE_EXTENSION)) return null;
  const name = fileName.slice(0, -AGENT_FILE_EXTENSION.length);
  return AGENT_NAME.test(name) ? name : null;
}

/**
 * Check a blueprint file's text: a JSON object nested at most MAX_JSON_DEPTH deep, without NUL, valid
 * for AgentDocumentSchema (no unknown fields), whose `name` is the file's name without `.json`. Pure.
 * @param fileName the file's own name (no folder), e.g. `reviewer.json`.
 */
export function checkAgentFile(fileName: string, text: string): AgentFileCheck {
  const refuse = (path: string, message: string): AgentFileCheck => ({ ok: false, issues: [{ path, message }] });
  // Editors on some systems start UTF-8 files with a byte order mark, which JSON.parse refuses.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const deep = findDeepNesting(text);
  if (deep !== undefined) return refuse(deep.path, deep.message);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return refuse('(root)', `not valid JSON: ${(error as Error).message}`);
  }
  const withNul = findNul(value);
  if (withNul !== undefined) return refuse(withNul.path, withNul.message);
  const parsed = AgentDocumentSchema.safeParse(value);
  if (!parsed.success) return { ok: false, issues: toFieldIssues(parsed.error) };
  const expected = agentNameOfFile(fileName);
  if (expected === null) {
    return refuse('(file name)', `"${fileName}" must be <name>${AGENT_FILE_EXTENSION} with the agent's name (letters, digits, ".", "_" or "-")`);
  }
  if (parsed.data.name !== expected) return refuse('name', `is "${parsed.data.name}" but the file is named ${fileName} (expected "${expected}")`);
  return { ok: true, agent: parsed.data };
}
