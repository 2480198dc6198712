// A FIFO async mutex: serialises writers in one process (a transaction's fn may await, so the
// engine's own locking is not enough to keep two transactions off one write connection).
export class Mutex {
  private tail: Promise<void> = Promise.resolve();

  /** Runs fn when every earlier holder has finished; the lock is released however fn ends. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    return prev.then(fn).finally(release);
  }
}
