import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';

/**
 * Why a run cannot execute in `dir`, or undefined when it can: the folder must be an absolute path to a
 * directory this runner may enter and read. Checked before the executor starts, so a missing folder is
 * the run's own error (rejected, not retried) rather than a spawn failure that looks like infrastructure.
 */
export async function checkProjectFolder(dir: string): Promise<string | undefined> {
  if (!isAbsolute(dir)) return `project folder "${dir}" is not an absolute path`;
  try {
    if (!(await stat(dir)).isDirectory()) return `project folder ${dir} is not a directory`;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? `project folder ${dir} does not exist` : `project folder ${dir} cannot be read (${code ?? String(error)})`;
  }
  try {
    await access(dir, constants.R_OK | constants.X_OK);
  } catch (error) {
    return `project folder ${dir} cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
  return undefined;
}
