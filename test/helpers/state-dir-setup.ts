import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { STATE_DIR_ENV } from '../../lib/state/state-dir.js';

// Every test file gets its own state root (vitest setupFiles; each file runs in its own process), inherited
// by every CLI, runner and coordinator it starts: the suite never writes into the real home directory.
const root = mkdtempSync(join(tmpdir(), 'agent-runner-state-'));
process.env[STATE_DIR_ENV] = root;
afterAll(() => rmSync(root, { recursive: true, force: true }));
