/**
 * Locally the webhook and the stream consumers share the same cores; on AWS the consumers are other
 * Lambdas and never slow the webhook down. So the local stream readers give way: before a batch is
 * delivered, a reader waits while the HTTP server is busy (more than `busy` requests in flight), at
 * most `maxWaitMs`. Under a burst the consumers fall behind and catch up in fuller batches once it
 * passes; a server that is not busy (a person, the tests, a few clients) is never waited for.
 */
export class WebhookFirst {
  private inFlight = 0;
  private readonly waiting = new Set<() => void>();
  private readonly busy: number;
  private readonly maxWaitMs: number;

  constructor(opts: { busy?: number; maxWaitMs?: number } = {}) {
    this.busy = opts.busy ?? 16;
    this.maxWaitMs = opts.maxWaitMs ?? 1_000;
  }

  /** A request begins; call what this returns once it is answered (more calls change nothing). */
  begin(): () => void {
    this.inFlight++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.inFlight--;
      if (this.inFlight <= this.busy) for (const release of [...this.waiting]) release();
    };
  }

  /** Resolves at once when the server is not busy, else once it is not or `maxWaitMs` passed. */
  async giveWay(): Promise<void> {
    if (this.inFlight <= this.busy) return;
    await new Promise<void>((resolve) => {
      const release = () => {
        clearTimeout(timer);
        this.waiting.delete(release);
        resolve();
      };
      const timer = setTimeout(release, this.maxWaitMs);
      this.waiting.add(release);
    });
  }
}
