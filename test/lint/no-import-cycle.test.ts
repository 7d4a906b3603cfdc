import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ESLint, type Rule } from 'eslint';
import tseslint from 'typescript-eslint';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/fixtures.js';

// The rule is plain JavaScript (eslint.config.js loads it without a build): load it by URL.
const RULE_URL = new URL('../../scripts/lint/no-import-cycle.js', import.meta.url).href;
const { noImportCycle } = (await import(RULE_URL)) as { noImportCycle: Rule.RuleModule };

let tmp: { dir: string; cleanup: () => void };
beforeEach(() => {
  tmp = tempDir('agent-runner-lint-');
});
afterEach(() => tmp.cleanup());

/** Write the files, lint them all with only the cycle rule, return "file:line message" per problem. */
async function lint(files: Record<string, string>): Promise<string[]> {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(tmp.dir, path)), { recursive: true });
    writeFileSync(join(tmp.dir, path), text);
  }
  const eslint = new ESLint({
    cwd: tmp.dir,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts', '**/*.js'],
        languageOptions: { parser: tseslint.parser },
        plugins: { local: { rules: { 'no-import-cycle': noImportCycle } } },
        rules: { 'local/no-import-cycle': 'error' },
      },
    ],
  });
  const results = await eslint.lintFiles(['.']);
  return results
    .flatMap((r) => r.messages.map((m) => `${r.filePath.slice(tmp.dir.length + 1)}:${m.line} ${m.message}`))
    .sort();
}

describe('local/no-import-cycle', () => {
  it('reports both sides of a cycle made of type-only imports, naming the chain', async () => {
    const problems = await lint({
      'a.ts': "import type { B } from './b.js';\nexport const a = 1;\nexport type A = B;\n",
      'b.ts': "import { a } from './a.js';\nexport type B = typeof a;\n",
    });
    expect(problems).toEqual(['a.ts:1 Import cycle: a.ts → b.ts → a.ts', 'b.ts:1 Import cycle: b.ts → a.ts → b.ts']);
  });

  it('follows re-exports, dynamic imports and import types across folders', async () => {
    const problems = await lint({
      'x/one.ts': "export * from '../y/two.js';\n",
      'y/two.ts': "export async function load() { return import('../z/three.js'); }\n",
      'z/three.ts': "export type One = import('../x/one.js').Missing;\n",
    });
    expect(problems).toEqual([
      'x/one.ts:1 Import cycle: x/one.ts → y/two.ts → z/three.ts → x/one.ts',
      'y/two.ts:1 Import cycle: y/two.ts → z/three.ts → x/one.ts → y/two.ts',
      'z/three.ts:1 Import cycle: z/three.ts → x/one.ts → y/two.ts → z/three.ts',
    ]);
  });

  it('accepts imports that only go one way, packages and files that do not exist', async () => {
    const problems = await lint({
      'top.ts': "import { mid } from './mid.js';\nimport { z } from 'zod';\nexport const top = [mid, z];\n",
      'mid.ts': "import type { Leaf } from './leaf.js';\nimport { gone } from './gone.js';\nexport const mid: Leaf = gone;\n",
      'leaf.ts': 'export type Leaf = number;\n',
    });
    expect(problems).toEqual([]);
  });
});
