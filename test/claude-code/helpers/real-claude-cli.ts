import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The Claude Code CLI the Agent SDK installed, if it is there and runs here; otherwise why not. */
export function findRealClaudeCli(): { path: string } | { skip: string } {
  let path: string;
  try {
    path = createRequire(import.meta.url).resolve(`@anthropic-ai/claude-agent-sdk-${process.platform}-${process.arch}/claude`);
  } catch {
    return { skip: `the Claude Code CLI for ${process.platform}-${process.arch} is not installed (optional dependency)` };
  }
  if (!existsSync(path)) return { skip: `${path} does not exist` };
  const home = mkdtempSync(join(tmpdir(), 'claude-code-version-'));
  const version = spawnSync(path, ['--version'], { encoding: 'utf8', timeout: 20_000, env: { PATH: process.env.PATH, HOME: home } });
  rmSync(home, { recursive: true, force: true });
  if (version.status !== 0) return { skip: `${path} --version failed: ${(version.stderr || String(version.error)).trim().slice(0, 200)}` };
  return { path };
}
