/**
 * Read a workflow file's text (YAML, or JSON, which is YAML) into its document and a way back from a path
 * in the document (`jobs.build.needs[1]`) to where it is written (line:column), so every error can point
 * at its place. Refuses hostile input plainly: huge files, alias bombs, deep nesting, duplicate keys.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { findNul } from '../../protocol/json-shape.js';
import { MAX_JSON_DEPTH } from '../../protocol/limits.js';
import type { SourcePosition } from './model.js';

/** Largest workflow file read, in bytes (a 2,000-job file is well under 1 MB). */
export const MAX_WORKFLOW_FILE_BYTES = 5 * 1024 * 1024;
/** Most alias expansions a file may hold (a "billion laughs" file needs thousands). */
export const MAX_WORKFLOW_ALIASES = 100;

export type DocumentPath = ReadonlyArray<string | number>;

/** A problem of the file as text, before any schema: where it is and why. */
export interface ReadIssue {
  message: string;
  line: number | null;
  col: number | null;
}

export type ReadWorkflowResult =
  | { ok: true; document: Record<string, unknown>; locate: (path: DocumentPath) => SourcePosition | null }
  | { ok: false; issues: ReadIssue[] };

/**
 * Parse a workflow file's text. `locate(path)` gives the line:column of the deepest part of `path` the file
 * holds (the key of a map entry, the item of a list), or null when not even its first part is written.
 */
export function readWorkflowFile(text: string): ReadWorkflowResult {
  const refuse = (message: string, line: number | null = null, col: number | null = null): ReadWorkflowResult => ({ ok: false, issues: [{ message, line, col }] });
  if (Buffer.byteLength(text, 'utf8') > MAX_WORKFLOW_FILE_BYTES) return refuse(`the file is larger than ${MAX_WORKFLOW_FILE_BYTES} bytes`);
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false, keepSourceTokens: false });
  if (doc.errors.length > 0) {
    // The first error is the cause; the rest are usually its echoes (a missing bracket reported at every level).
    const first = doc.errors[0]!;
    const at = lineCounter.linePos(first.pos[0]);
    const message = first.code === 'RESOURCE_EXHAUSTION' ? `nested too deep to read (at most ${MAX_JSON_DEPTH} levels)` : `not valid YAML: ${first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
    return refuse(first.code === 'DUPLICATE_KEY' ? `duplicate key: ${describeKey(text, first.pos[0])} is written twice in the same object` : message, at.line, at.col);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_WORKFLOW_ALIASES });
  } catch (error) {
    return refuse(`refused: ${(error as Error).message} (aliases expand to more than ${MAX_WORKFLOW_ALIASES} nodes)`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refuse(`the file must hold an object (a workflow), not ${value === null ? 'nothing' : Array.isArray(value) ? 'a list' : typeof value}`, 1, 1);
  }
  const locate = (path: DocumentPath): SourcePosition | null => {
    const offset = offsetOf(doc.contents, path);
    if (offset === null) return null;
    const pos = lineCounter.linePos(offset);
    return { line: pos.line, col: pos.col };
  };
  const deep = depthProblem(value, MAX_JSON_DEPTH);
  if (deep !== null) {
    const pos = locate(deep);
    return refuse(`nested deeper than ${MAX_JSON_DEPTH} levels of lists and objects`, pos?.line ?? null, pos?.col ?? null);
  }
  const withNul = findNul(value);
  if (withNul !== undefined) return refuse(`${withNul.path}: ${withNul.message}`);
  return { ok: true, document: value as Record<string, unknown>, locate };
}

function describeKey(text: string, offset: number): string {
  const key = /^[^:\n]*/.exec(text.slice(offset, offset + 200))?.[0]?.trim() ?? '';
  return key === '' ? 'a key' : `"${key}"`;
}

/** Where the deepest written part of `path` starts: a map entry's key, a list's item. */
function offsetOf(root: unknown, path: DocumentPath): number | null {
  let node: unknown = root;
  let found: number | null = null;
  for (const key of path) {
    if (isAlias(node)) return found;
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
      if (pair === undefined) return found;
      found = (pair.key as Node).range?.[0] ?? found;
      node = pair.value;
    } else if (isSeq(node) && typeof key === 'number') {
      const item = node.items[key] as Node | undefined;
      if (item === undefined) return found;
      found = item.range?.[0] ?? found;
      node = item;
    } else {
      return found;
    }
  }
  return found;
}

/** The path of a value nested deeper than `max`, or null. Iterative, so the check cannot itself overflow. */
function depthProblem(value: unknown, max: number): Array<string | number> | null {
  const stack: Array<{ value: unknown; path: Array<string | number> }> = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: v, path } = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (path.length >= max) return path;
    if (Array.isArray(v)) v.forEach((item, i) => stack.push({ value: item, path: [...path, i] }));
    else for (const [k, item] of Object.entries(v)) stack.push({ value: item, path: [...path, k] });
  }
  return null;
}
