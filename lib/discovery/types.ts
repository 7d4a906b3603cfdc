/**
 * Discovery words:
 * - search dir: a folder holding executor folders (`<search dir>/<name>/ao-*-exec`).
 * - executor: a folder with exactly one executable `ao-*-exec` file; its name is the folder's name.
 * - problem: why a folder cannot be used as an executor; reported, never skipped silently.
 */

export type SearchDirSource = 'package' | 'cwd' | 'env' | 'flag';

export interface SearchDir {
  dir: string;
  source: SearchDirSource;
}

export interface ExecutorEntry {
  /** The folder's name. */
  name: string;
  /** The executor's folder. */
  dir: string;
  /** The `ao-*-exec` file; `null` when a problem leaves none to run. */
  path: string | null;
  /** The search dir it was found in, and how that dir was given. */
  source_dir: string;
  source: SearchDirSource;
  description: string | null;
  version: string | null;
  /** From `executor.json`, e.g. `{ "resume": true }`. */
  capabilities: Record<string, unknown>;
  /** From `executor.json`: environment variables it needs beyond the base set (names, or prefixes ending in `*`). */
  env: string[];
  /** Why it cannot be used; empty when it can. */
  problems: string[];
  /** Folders of the same name in earlier search dirs that this one overrides. */
  overrides: string[];
}
