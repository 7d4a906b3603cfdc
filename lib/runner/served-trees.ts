import { listenForCancel } from '../process/terminate/cancel.js';

/**
 * The session trees the in-process runner of one client command serves (`run`, `sessions resume`):
 * the session the command created or resumes and its descendants, never work an earlier command left
 * in the same embedded database. Until the command names its session, the runner claims nothing.
 */
export class ServedTrees {
  readonly #roots: string[] = [];
  #named: (() => void) | undefined;

  /** The root sessions named so far. */
  get roots(): readonly string[] {
    return this.#roots;
  }

  /** Serve this session and its descendants from now on. */
  add(sessionId: string): void {
    if (!this.#roots.includes(sessionId)) this.#roots.push(sessionId);
    this.#named?.();
  }

  /** Resolves once a root is named, or when `signal` aborts. */
  async named(signal: AbortSignal): Promise<void> {
    while (this.#roots.length === 0 && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const stopListening = listenForCancel(signal, resolve);
        this.#named = () => (stopListening(), resolve());
      });
      this.#named = undefined;
    }
  }
}
