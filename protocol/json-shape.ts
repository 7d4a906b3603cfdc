/**
 * Two things a JSON document can hold that break what comes after parsing: nesting deep enough to
 * overflow a recursive walk (JSON.stringify, a schema check), and NUL characters, which PostgreSQL
 * refuses in text and jsonb while SQLite keeps them. Checked the same way for requests and executor output.
 */
import { formatPath } from './field-issues.js';
import { MAX_JSON_DEPTH } from './limits.js';

/** What a NUL is replaced with in executor output: U+FFFD, the replacement character. */
export const NUL_REPLACEMENT = '\uFFFD';

/** A place in a JSON document (`events[0].event.text`) and what is wrong there. */
export interface JsonProblem {
  path: string;
  message: string;
}

const tooDeep = (path: PropertyKey[], maxDepth: number): JsonProblem => ({
  path: formatPath(path),
  message: `nested deeper than ${maxDepth} levels of arrays and objects`,
});

/**
 * Find where a JSON text nests deeper than `maxDepth`, without parsing it (so without recursion).
 * The text need not be valid JSON: this only follows brackets, strings and keys.
 */
export function findDeepNesting(text: string, maxDepth = MAX_JSON_DEPTH): JsonProblem | undefined {
  // One frame per open container: its key or index so far (the path), and whether it is an object.
  const path: PropertyKey[] = [];
  const isObject: boolean[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === '"') {
      const end = endOfString(text, i);
      // A string right after `{` or `,` in an object is a key.
      if (isObject.at(-1) === true && /[{,]\s*$/.test(text.slice(Math.max(0, i - 64), i))) path[path.length - 1] = decodeKey(text.slice(i, end + 1));
      i = end;
    } else if (ch === '{' || ch === '[') {
      if (isObject.length >= maxDepth) return tooDeep(path, maxDepth);
      isObject.push(ch === '{');
      path.push(ch === '{' ? '' : 0);
    } else if (ch === '}' || ch === ']') {
      isObject.pop();
      path.pop();
    } else if (ch === ',' && isObject.at(-1) === false) {
      path[path.length - 1] = Number(path.at(-1)) + 1;
    }
  }
  return undefined;
}

function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === '"') return i;
  }
  return text.length;
}

function decodeKey(quoted: string): string {
  try {
    const key: unknown = JSON.parse(quoted);
    return typeof key === 'string' ? key : quoted;
  } catch {
    return quoted;
  }
}

/** The first string or key holding a NUL in a parsed JSON value (whose depth is already bounded). */
export function findNul(value: unknown, path: PropertyKey[] = []): JsonProblem | undefined {
  if (typeof value === 'string') return value.includes('\0') ? { path: formatPath(path), message: 'must not contain NUL (\\u0000)' } : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const at = [...path, Array.isArray(value) ? Number(key) : key];
    if (key.includes('\0')) return { path: formatPath(at), message: 'the key must not contain NUL (\\u0000)' };
    const found = findNul(item, at);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * A copy of a JSON value that any store keeps as it is: NUL in strings and keys replaced by U+FFFD,
 * and anything nested deeper than `maxDepth` replaced by a string that says so. Never throws.
 */
export function storableJson<T>(value: T, maxDepth = MAX_JSON_DEPTH): T {
  return copy(value, maxDepth) as T;
}

function copy(value: unknown, levelsLeft: number): unknown {
  if (typeof value === 'string') return value.includes('\0') ? value.replaceAll('\0', NUL_REPLACEMENT) : value;
  if (typeof value !== 'object' || value === null) return value;
  if (levelsLeft <= 0) return '[nested too deep; left out]';
  if (Array.isArray(value)) return value.map((item) => copy(item, levelsLeft - 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) out[key.replaceAll('\0', NUL_REPLACEMENT)] = copy(item, levelsLeft - 1);
  }
  return out;
}
