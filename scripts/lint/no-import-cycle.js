// ESLint rule: report an import that leads back to the importing file. It counts `import type` too:
// import-x/no-cycle and import/no-cycle skip type-only imports (no option), and every cycle this
// codebase had was a type shared in the wrong place. Runs over relative imports only (a package
// cannot import us back) and reads the other files with TypeScript's import scanner, not a full parse.
import { readFileSync, statSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import ts from 'typescript';

/** @type {Map<string, { mtimeMs: number, targets: string[] }>} imports per file, kept while its mtime holds */
const importsByFile = new Map();

/** @param {string} path */
function isFile(path) {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The file a relative specifier names, as NodeNext resolves it from TypeScript sources
 * (`./x.js` is `./x.ts` when that exists), or undefined for packages and missing files.
 * @param {string} fromFile
 * @param {string} specifier
 */
export function resolveRelative(fromFile, specifier) {
  if (!specifier.startsWith('./') && !specifier.startsWith('../')) return undefined;
  const base = resolve(dirname(fromFile), specifier);
  const candidates = [base.replace(/\.js$/, '.ts').replace(/\.mjs$/, '.mts'), base, `${base}.ts`, `${base}/index.ts`];
  return candidates.find(isFile);
}

/**
 * Every file `file` imports by a relative specifier: static, type-only, re-exports, `import()`.
 * @param {string} file
 * @returns {string[]}
 */
function importsOf(file) {
  let mtimeMs;
  try {
    mtimeMs = statSync(file).mtimeMs;
  } catch {
    return [];
  }
  const cached = importsByFile.get(file);
  if (cached?.mtimeMs === mtimeMs) return cached.targets;
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const targets = new Set();
  for (const { fileName } of importedFiles) {
    const target = resolveRelative(file, fileName);
    if (target !== undefined) targets.add(target);
  }
  const entry = { mtimeMs, targets: [...targets] };
  importsByFile.set(file, entry);
  return entry.targets;
}

/**
 * The shortest import chain from `start` to `goal` (both included), or undefined when there is none.
 * @param {string} start
 * @param {string} goal
 */
function importChain(start, goal) {
  /** @type {Map<string, string | null>} */
  const cameFrom = new Map([[start, null]]);
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const file = /** @type {string} */ (queue[i]);
    if (file === goal) {
      const chain = [];
      for (let at = /** @type {string | null | undefined} */ (file); at != null; at = cameFrom.get(at)) chain.unshift(at);
      return chain;
    }
    for (const next of importsOf(file)) {
      if (!cameFrom.has(next)) {
        cameFrom.set(next, file);
        queue.push(next);
      }
    }
  }
  return undefined;
}

/** @type {import('eslint').Rule.RuleModule} */
export const noImportCycle = {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid an import (type-only ones included) that leads back to the importing file' },
    schema: [],
    messages: { cycle: 'Import cycle: {{chain}}' },
  },
  create(context) {
    const file = context.physicalFilename;
    /** @param {import('estree').Node} node @param {unknown} specifier */
    const check = (node, specifier) => {
      if (typeof specifier !== 'string') return;
      const target = resolveRelative(file, specifier);
      if (target === undefined || target === file) return;
      const back = importChain(target, file);
      if (back === undefined) return;
      const chain = [file, ...back].map((path) => relative(context.cwd, path)).join(' → ');
      context.report({ node, messageId: 'cycle', data: { chain } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => check(node, node.source?.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source.value : undefined),
      /** `import('./x.js').T` in a type position (`source` in current typescript-eslint, `argument` in older ones). @param {any} node */
      TSImportType: (node) => check(node, node.source?.value ?? node.argument?.literal?.value),
    };
  },
};
