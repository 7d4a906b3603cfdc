/**
 * A wait that something can cut short: `wait` resolves `true` when `wake` is called during it, `false`
 * after `ms` (a keep-alive interval). A wake with nobody waiting is not kept (the waiter checks its state
 * before waiting).
 */
export class Nudge {
  #wake: (() => void) | null = null;

  wait(ms: number): Promise<boolean> {
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => ((this.#wake = null), resolve(false)), ms);
      this.#wake = () => {
        clearTimeout(timer);
        this.#wake = null;
        resolve(true);
      };
    });
  }

  wake(): void {
    this.#wake?.();
  }
}
