/**
 * First come, first served turns on PGlite's one session. PGlite's own mutexes do not cover
 * this: a transaction holds its transaction mutex, but raw wire-protocol messages take only the
 * query mutex, so a client's statements could land inside the owner's open transaction (or the
 * reverse). Whoever holds the gate has the session to itself: the owner's code for one query or
 * one whole transaction, a socket client from its first message until PostgreSQL reports the
 * session idle again (see pglite-wire-server.ts).
 */
export class SessionGate {
  private tail: Promise<void> = Promise.resolve();

  /** Waits for the turn; resolves with the function that ends it (call it exactly once). */
  acquire(): Promise<() => void> {
    let release!: () => void;
    const ended = new Promise<void>((resolve) => (release = resolve));
    const before = this.tail;
    this.tail = before.then(() => ended);
    return before.then(() => release);
  }

  async hold<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
