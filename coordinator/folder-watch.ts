import { watch, type FSWatcher } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Logger } from 'pino';

/**
 * Watch a folder for changes and call `changed` (debounced): what the agents and workflows folders reload
 * on. A folder missing now is watched from the next `recheck` that finds it; one removed and made again
 * (another inode, or the same inode with another birth time) is watched again.
 */
export class FolderWatch {
  #watcher: FSWatcher | undefined;
  /** The watched folder's inode and birth time. */
  #watchedInode: string | undefined;
  #timer: NodeJS.Timeout | undefined;
  #watching = false;
  #closed = false;

  constructor(
    readonly dir: string,
    private readonly changed: () => void,
    private readonly logger: Logger,
    /** Names the folder in log lines ("agents folder"); the reload command to suggest ("`agents reload`"). */
    private readonly what: { folder: string; reload: string },
    private readonly debounceMs: number,
  ) {}

  /** Start watching (now, or once the folder exists). */
  async start(): Promise<void> {
    this.#watching = true;
    await this.recheck();
  }

  #onEvent(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.changed(), this.debounceMs);
  }

  /** (Re)start the watch when it is wanted and the folder exists: a folder removed and made again is another inode. */
  async recheck(): Promise<void> {
    if (!this.#watching || this.#closed) return;
    // A folder removed and made again may get the same inode back at once (tmpfs, ext4): its birth time
    // tells them apart where the file system records it.
    const identity = await stat(this.dir).then(
      (s) => `${s.ino}:${s.birthtimeMs}`,
      () => undefined,
    );
    if (this.#watcher !== undefined && identity === this.#watchedInode) return;
    this.#unwatch();
    if (identity === undefined || this.#closed) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(this.dir, { persistent: false }, () => this.#onEvent());
    } catch (error) {
      this.logger.warn({ dir: this.dir, err: error }, `${this.what.folder} not watched; ${this.what.reload} reads it`);
      return;
    }
    this.#watcher = watcher;
    this.#watchedInode = identity;
    watcher.on('error', (error) => {
      // A late error of a watch already replaced (the folder was made again) must not end the new one.
      if (this.#watcher !== watcher) return;
      this.logger.warn({ dir: this.dir, err: error }, `${this.what.folder} no longer watched; ${this.what.reload} watches it again`);
      this.#unwatch();
    });
  }

  #unwatch(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    this.#watchedInode = undefined;
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#unwatch();
  }
}
