// `executor check` and rate limits: an executor that reports rate_limited must end with exit 75.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/fixtures.js';
import { runCli } from '../helpers/cli.js';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

/** An executor (a file in a temp folder) that reports a rate limit on every run and exits `code`. */
function limitedExecutor(code: number): { dir: string; path: string } {
  const { dir, cleanup } = tempDir('rate-limit-check-');
  cleanups.push(cleanup);
  const folder = join(dir, 'limited');
  mkdirSync(folder);
  const path = join(folder, 'ao-limited-exec');
  writeFileSync(
    path,
    `#!/usr/bin/env node
let input = '';
process.stdin.on('data', (d) => (input += d));
process.stdin.on('end', () => {
  try { if (JSON.parse(input).schema_version !== '2.0' || typeof JSON.parse(input).prompt !== 'string') throw new Error('bad'); } catch { process.stderr.write('invalid invocation\\n'); process.exit(2); }
  process.stdout.write(JSON.stringify({ type: 'rate_limited', scope: 'credential', retry_at: '2030-01-01T00:00:00Z', message: 'limit reached' }) + '\\n');
  process.exit(${code});
});
`,
  );
  chmodSync(path, 0o755);
  return { dir, path };
}

describe('executor check: rate limits', () => {
  it.each([
    [1, 'fail', /reported rate_limited but ended exited with code 1 \(expected exit 75/],
    [75, 'pass', /reported rate_limited and ended with exit 75/],
  ])('an executor that reports rate_limited and exits %i: %s', async (code, status, detail) => {
    const { dir, path } = limitedExecutor(code);
    const { stdout } = await runCli(['executor', 'check', path, '--json', '--grace', '300ms'], { cwd: dir });
    const check = JSON.parse(stdout).checks.find((c: { id: string }) => c.id === 'rate-limit-exits-75');
    expect(check).toMatchObject({ status, detail: expect.stringMatching(detail) });
  }, 60_000);
});
