#!/usr/bin/env node
// `npm ci` / `npm install` runs this (the package's install script): build native/spawn.c, the Linux
// executor launcher (lib/process/native-spawn.ts), with the node-gyp npm ships, into build/Release/spawn.node.
// Elsewhere, or when it cannot be built (no C compiler, no Node headers), it says so and the install goes
// on: executors are then started with node:child_process, which works everywhere and costs more CPU.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (process.platform !== 'linux') process.exit(0);
// npm sets npm_config_node_gyp to its own node-gyp for lifecycle scripts (`npm ci`, `npm run install`).
const nodeGyp = process.env.npm_config_node_gyp;
const result = nodeGyp === undefined ? { status: 1 } : spawnSync(process.execPath, [nodeGyp, 'rebuild'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  console.warn(
    'agent-runner: could not build the native executor launcher (native/spawn.c); executors will be started ' +
      'with node:child_process instead (about 4 ms more CPU per run). It needs a C compiler, make, python3 and Node headers; ' +
      'build it again with `npm run install`.',
  );
}
