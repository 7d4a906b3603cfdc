import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { LOCAL_PORT_ENV } from '../../lib/runner/embedded-stack.js';
import { STATE_DIR_ENV } from '../../lib/state/state-dir.js';

// Every test file gets its own state root (vitest setupFiles; each file runs in its own process), inherited
// by every CLI, runner and coordinator it starts: the suite never writes into the real home directory.
const root = mkdtempSync(join(tmpdir(), 'agent-runner-state-'));
process.env[STATE_DIR_ENV] = root;
afterAll(() => rmSync(root, { recursive: true, force: true }));

// And its own "local coordinator" port (free when the file starts), unless a test sets one: files run in
// parallel, and a daemon one file starts on the default port (8765) must not become another file's
// coordinator, nor may a developer's own coordinator on 8765 receive the suite's sessions.
const freePort = await new Promise<number>((resolve, reject) => {
  const server = createServer();
  server.once('error', reject);
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 0));
  });
});
process.env[LOCAL_PORT_ENV] = String(freePort);
