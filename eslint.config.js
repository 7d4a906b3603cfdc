// `npm run lint`: a small rule set that finds defects, not style. Type-aware rules need the TypeScript
// program (projectService reads tsconfig.json); plain JavaScript files get the rules that need no types.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'eslint/config';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { noImportCycle } from './scripts/lint/no-import-cycle.js';

const LINTED_DIRS = ['lib', 'coordinator', 'executors', 'bin', 'bench', 'scripts', 'test', 'protocol'];

/** Extensionless executables with a node shebang (bin/, executors): ESLint cannot pick them by extension. */
function nodeScripts(dir) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.isFile() && !entry.name.includes('.'))
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((path) => /^#!.*\bnode\b/.test(readFileSync(path, 'utf8').slice(0, 100)));
}

const UNUSED_VARS = { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true };

const local = { rules: { 'no-import-cycle': noImportCycle } };

export default defineConfig(
  { ignores: ['dist/', 'node_modules/', '.agent-runner/', '.scratch/'] },
  {
    files: [
      ...LINTED_DIRS.flatMap((dir) => [`${dir}/**/*.ts`, `${dir}/**/*.js`, `${dir}/**/*.mjs`]),
      ...LINTED_DIRS.flatMap(nodeScripts),
      'eslint.config.js',
    ],
    plugins: { local, 'import-x': importX },
    settings: {
      // NodeNext: TypeScript sources import each other as `./x.js`.
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.mjs', '.json'], extensionAlias: { '.js': ['.ts', '.js'] } })],
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Every cycle, type-only imports included (see the rule's header for why not import-x/no-cycle).
      'local/no-import-cycle': 'error',
      // Runtime code importing a devDependency works here and breaks an `npm ci --omit=dev` install.
      'import-x/no-extraneous-dependencies': ['error', { devDependencies: ['test/**', 'bench/**', 'scripts/**', '**/*.test.ts', 'eslint.config.js'] }],
      'no-unused-vars': ['error', UNUSED_VARS],
    },
  },
  {
    files: LINTED_DIRS.map((dir) => `${dir}/**/*.ts`),
    plugins: { '@typescript-eslint': tseslint.plugin },
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Types and overloads confuse the core rule; the typescript-eslint one replaces it.
      'no-unused-vars': 'off',
      '@typescript-eslint/no-unused-vars': ['error', UNUSED_VARS],
      // A promise nobody awaits or catches: its rejection crashes the process or is lost.
      '@typescript-eslint/no-floating-promises': 'error',
      // An async callback where a void one is expected (timers, emitters): same rejections, out of sight.
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // `return promise` inside try skips the catch and the finally's ordering.
      '@typescript-eslint/return-await': ['error', 'in-try-catch'],
      '@typescript-eslint/only-throw-error': 'error',
      // A switch over a union (statuses, outcome kinds, event types) without a default must name every member.
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
    },
  },
);
