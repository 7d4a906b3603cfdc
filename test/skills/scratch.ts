import { afterEach } from 'vitest';
import { tempDir } from '../helpers/fixtures.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Run `cleanup` after the test, even when it failed (last added, first run). */
export function afterTest(cleanup: () => Promise<void> | void): void {
  cleanups.push(cleanup);
}

/** A temp folder removed after the test. */
export function scratch(prefix: string): string {
  const { dir, cleanup } = tempDir(prefix);
  afterTest(cleanup);
  return dir;
}
