import { loadAddon } from './native-addon.js';

/**
 * How many malloc arenas a long-lived daemon (the runner, the coordinator) lets glibc keep. By default
 * glibc gives each thread that allocates an arena of its own, up to 8 per core; the pages an arena
 * touched stay resident. A daemon's other threads (V8's compiler and GC workers, libuv's pool) allocate
 * in bursts, so each of them grows its own arena as load comes and keeps it. Measured on the fleet-scale
 * bench's memory part (one runner of 16 slots, 4,000 trivial runs, MALLOC_ARENA_MAX=1 against the
 * default): runner RSS 74.2 → 71.2 MB and its level from the first 1,000 runs to the last +4.2 → +2.7 MB;
 * coordinator 128.3 → 121.7 MB. CPU per run on the peers bench did not move (runner and coordinator,
 * 2 × 3 interleaved reps). Threads then share the arenas that exist (glibc's per-thread cache still serves
 * most small allocations without the arena's lock).
 */
export const DAEMON_MALLOC_ARENAS = 1;

/** glibc's own settings, read at start-up: when the operator sets either, theirs stands. */
const OPERATOR_SETTINGS = /(^|:)glibc\.malloc\.arena_max=/;

/**
 * Cap this process's malloc arenas at DAEMON_MALLOC_ARENAS (call it early: arenas made before stay). True
 * when the cap is set; false when the operator set MALLOC_ARENA_MAX or glibc.malloc.arena_max in
 * GLIBC_TUNABLES, or where it cannot be set (no native addon, a C library other than glibc).
 */
export function limitMallocArenas(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.MALLOC_ARENA_MAX !== undefined || OPERATOR_SETTINGS.test(env.GLIBC_TUNABLES ?? '')) return false;
  return loadAddon()?.limitMallocArenas?.(DAEMON_MALLOC_ARENAS) ?? false;
}
