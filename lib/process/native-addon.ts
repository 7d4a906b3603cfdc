import { createRequire } from 'node:module';
import { join } from 'node:path';
import { packageRoot } from '../package-root.js';

/**
 * The Linux addon of native/spawn.c (built by scripts/build-native.mjs at install): posix_spawn for
 * executors (native-spawn.ts), kill(2) without exceptions (send-signal.ts) and a cap on malloc's arenas
 * (malloc-arenas.ts). Kept apart from them so the watchdog, which only signals, does not load node:net
 * and node:child_process.
 */
export interface Addon {
  spawn(file: string, argv: string[], envp: string[], cwd: string, onExit: (code: number | null, signal: number | null) => void, niceIncrement?: number): [number, number, number, number];
  supported(): boolean;
  /** kill(2): 0 or the errno. Absent from an addon built before it. */
  kill?(pid: number, signal: number): number;
  /** glibc's M_ARENA_MAX (malloc-arenas.ts): whether the C library took it. Absent from an addon built before it. */
  limitMallocArenas?(count: number): boolean;
}

let addon: Addon | null | undefined;

/**
 * The addon, loaded once; null where it is missing (another OS, no compiler at install, a kernel without
 * pidfd_open) or when AGENT_RUNNER_NATIVE_SPAWN=0: callers then use Node's own calls.
 */
export function loadAddon(): Addon | null {
  if (addon !== undefined) return addon;
  addon = null;
  if (process.platform !== 'linux' || process.env.AGENT_RUNNER_NATIVE_SPAWN === '0') return addon;
  try {
    const loaded = createRequire(import.meta.url)(join(packageRoot(), 'build', 'Release', 'spawn.node')) as Addon;
    if (loaded.supported()) addon = loaded;
  } catch {
    // not built: Node's own calls it is
  }
  return addon;
}
