import { relative } from 'node:path';
import type { Discovery } from '../discovery/discover-executors.js';
import type { ExecutorEntry } from '../discovery/types.js';
import type { Style } from './style.js';
import { terminalText } from './terminal-text.js';

const SOURCE_LABEL = {
  package: 'package',
  cwd: './executors',
  env: 'AGENT_RUNNER_EXECUTORS_PATH',
  flag: '--executors-dir',
} as const;

/** The JSON form of `--executor-list --json`: the discovered entries, as documented in docs/executors.md. */
export function executorListJson(discovery: Discovery): string {
  return `${JSON.stringify(discovery.executors.map(toJson), null, 2)}\n`;
}

function toJson(entry: ExecutorEntry) {
  return {
    name: entry.name,
    path: entry.path,
    dir: entry.dir,
    source_dir: entry.source_dir,
    source: entry.source,
    description: entry.description,
    version: entry.version,
    capabilities: entry.capabilities,
    usable: entry.path !== null && entry.problems.length === 0,
    problems: entry.problems,
    overrides: entry.overrides,
  };
}

function shortDir(dir: string, cwd: string): string {
  const rel = relative(cwd, dir);
  return rel === '' ? '.' : rel.startsWith('..') ? dir : `./${rel}`;
}

/** Where discovery looked, one line per dir; said whenever nothing was found. */
export function describeSearch(discovery: Discovery, cwd: string): string {
  return discovery.searched
    .map((s) => `  ${shortDir(s.dir, cwd)}  (${SOURCE_LABEL[s.source]}${s.exists ? '' : ', not found'})`)
    .join('\n');
}

/** The readable table of `--executor-list`: name, description, source dir, and problems under each row. */
export function executorListTable(discovery: Discovery, style: Style, cwd = process.cwd()): string {
  if (discovery.executors.length === 0) {
    return `No executors found. Looked in:\n${describeSearch(discovery, cwd)}\n`;
  }
  const rows = discovery.executors.map((e) => ({
    entry: e,
    // The description and problems come from the executor's folder: shown as text, never as terminal commands.
    cells: [terminalText(e.name), terminalText(e.description ?? '-'), terminalText(shortDir(e.source_dir, cwd)), e.problems.length === 0 ? 'ok' : 'unusable'],
  }));
  const header = ['NAME', 'DESCRIPTION', 'SOURCE', 'STATUS'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i]!.length)));
  const pad = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  const lines = [style.bold(pad(header))];
  for (const { entry, cells } of rows) {
    const line = pad(cells);
    lines.push(entry.problems.length === 0 ? line : style.red(line));
    for (const problem of entry.problems) lines.push(style.red(`  ! ${terminalText(problem)}`));
    for (const dir of entry.overrides) lines.push(style.dim(`  overrides ${shortDir(dir, cwd)}`));
  }
  return `${lines.join('\n')}\n`;
}
