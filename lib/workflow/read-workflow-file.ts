/**
 * Read a workflow file's text (YAML, or JSON, which is YAML) into its document and a way back from a path
 * in the document (`jobs.build.needs[1]`) to where it is written (line:column), so every error can point
 * at its place. Refuses hostile input plainly: huge files, alias bombs, deep nesting, duplicate keys.
 */
import type { Document, Node, Pair, YAMLMap } from 'yaml';
import { findNul } from '../../protocol/json-shape.js';
import { MAX_JSON_DEPTH } from '../../protocol/limits.js';
import type { SourcePosition } from './model.js';
import { yamlLibrary } from './yaml-library.js';

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
 * Parse a workflow file's text (or another YAML file of ours: `what` names what its object is). `locate(path)` gives the line:column of the deepest part of `path` the file
 * holds (the key of a map entry, the item of a list), or null when not even its first part is written.
 */
export function readWorkflowFile(text: string, what = 'a workflow'): ReadWorkflowResult {
  const refuse = (message: string, line: number | null = null, col: number | null = null): ReadWorkflowResult => ({ ok: false, issues: [{ message, line, col }] });
  if (Buffer.byteLength(text, 'utf8') > MAX_WORKFLOW_FILE_BYTES) return refuse(`the file is larger than ${MAX_WORKFLOW_FILE_BYTES} bytes`);
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const { LineCounter, parseDocument } = yamlLibrary();
  const lineCounter = new LineCounter();
  // yaml's own duplicate-key check compares every key with every other (quadratic: 100 ms for 2,000 jobs); ours below is a set per map.
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, prettyErrors: false, keepSourceTokens: false });
  if (doc.errors.length > 0) {
    // The first error is the cause; the rest are usually its echoes (a missing bracket reported at every level).
    const first = doc.errors[0]!;
    const at = lineCounter.linePos(first.pos[0]);
    const message = first.code === 'RESOURCE_EXHAUSTION' ? `nested too deep to read (at most ${MAX_JSON_DEPTH} levels)` : `not valid YAML: ${first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`;
    return refuse(message, at.line, at.col);
  }
  const duplicate = firstDuplicateKey(doc);
  if (duplicate !== null) {
    const at = lineCounter.linePos(duplicate.offset);
    return refuse(`duplicate key: "${duplicate.key}" is written twice in the same object`, at.line, at.col);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_WORKFLOW_ALIASES });
  } catch (error) {
    return refuse(`refused: ${(error as Error).message} (aliases expand to more than ${MAX_WORKFLOW_ALIASES} nodes)`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return refuse(`the file must hold an object (${what}), not ${value === null ? 'nothing' : Array.isArray(value) ? 'a list' : typeof value}`, 1, 1);
  }
  const pairIndex = new WeakMap<YAMLMap, Map<string, Pair>>();
  const locate = (path: DocumentPath): SourcePosition | null => {
    const offset = offsetOf(doc.contents, path, pairIndex);
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

/** The first key written twice in one map (scalar keys compared by value), with where its second writing starts. Iterative. */
function firstDuplicateKey(doc: Document): { key: string; offset: number } | null {
  const { isMap, isScalar, isSeq } = yamlLibrary();
  const stack: unknown[] = [doc.contents];
  while (stack.length > 0) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<string>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          const key = String(pair.key.value);
          if (seen.has(key)) return { key, offset: pair.key.range?.[0] ?? 0 };
          seen.add(key);
        }
        stack.push(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push(item);
    }
  }
  return null;
}

/** Where the deepest written part of `path` starts: a map entry's key, a list's item. */
function offsetOf(root: unknown, path: DocumentPath, pairIndex: WeakMap<YAMLMap, Map<string, Pair>>): number | null {
  let node: unknown = root;
  // A path the file does not hold (a missing field) is placed at the nearest object that holds it, at worst the document's start.
  let found: number | null = (root as Node | null)?.range?.[0] ?? null;
  const { isAlias, isMap, isPair, isScalar, isSeq } = yamlLibrary();
  for (const key of path) {
    if (isAlias(node)) return found;
    if (isMap(node)) {
      // An index per map: locating each of 2,000 jobs by a scan of the jobs map would be quadratic.
      let index = pairIndex.get(node);
      if (index === undefined) {
        index = new Map();
        for (const p of node.items) if (isPair(p) && isScalar(p.key) && !index.has(String(p.key.value))) index.set(String(p.key.value), p);
        pairIndex.set(node, index);
      }
      const pair = index.get(String(key));
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

/** The path of a value nested deeper than `max`, or null. Iterative, so the check cannot itself overflow; paths are built only for the culprit. */
function depthProblem(value: unknown, max: number): Array<string | number> | null {
  interface Frame {
    value: unknown;
    depth: number;
    key: string | number | null;
    parent: Frame | null;
  }
  const stack: Frame[] = [{ value, depth: 0, key: null, parent: null }];
  while (stack.length > 0) {
    const frame = stack.pop()!;
    const v = frame.value;
    if (typeof v !== 'object' || v === null) continue;
    if (frame.depth >= max) {
      const path: Array<string | number> = [];
      for (let f: Frame | null = frame; f !== null && f.key !== null; f = f.parent) path.unshift(f.key);
      return path;
    }
    if (Array.isArray(v)) v.forEach((item, i) => stack.push({ value: item, depth: frame.depth + 1, key: i, parent: frame }));
    else for (const [k, item] of Object.entries(v)) stack.push({ value: item, depth: frame.depth + 1, key: k, parent: frame });
  }
  return null;
}
