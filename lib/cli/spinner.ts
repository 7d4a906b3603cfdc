const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const FRAME_MS = 80;

/** A one-line spinner on a TTY stream (a no-op elsewhere), cleared before any other output. */
export class Spinner {
  readonly #stream: NodeJS.WriteStream;
  readonly #enabled: boolean;
  #timer: NodeJS.Timeout | undefined;
  #frame = 0;
  #text = '';

  constructor(stream: NodeJS.WriteStream, enabled = stream.isTTY === true) {
    this.#stream = stream;
    this.#enabled = enabled;
  }

  /** Show (or keep showing) the spinner with this text. */
  start(text: string): void {
    this.#text = text;
    if (!this.#enabled || this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.#draw(), FRAME_MS);
    this.#timer.unref();
    this.#draw();
  }

  /** Remove it from the screen. */
  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#stream.write('\r\u001b[K');
  }

  #draw(): void {
    this.#frame = (this.#frame + 1) % FRAMES.length;
    this.#stream.write(`\r\u001b[K${FRAMES[this.#frame]} ${this.#text}`);
  }
}
