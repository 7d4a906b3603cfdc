#!/usr/bin/env node
// `npm run bench`: runs every bench/*.bench.ts (or those whose name contains an argument) in its own
// Node process, one after another so they do not compete for the two cores, and prints their figures.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
// Runners and coordinators the benches start keep their state here, never in the user's state folder.
const stateDir = process.env.AGENT_RUNNER_STATE_DIR ?? mkdtempSync(join(tmpdir(), 'agent-runner-bench-state-'));
const env = { ...process.env, AGENT_RUNNER_STATE_DIR: stateDir };
let failed = 0;
for (const file of files) {
  console.log(`\n## ${file.replace('.bench.ts', '')}`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(dir, file)], { stdio: 'inherit', env });
  if (result.status !== 0) failed += 1;
}
if (process.env.AGENT_RUNNER_STATE_DIR === undefined) rmSync(stateDir, { recursive: true, force: true });
process.exit(failed === 0 ? 0 : 1);
