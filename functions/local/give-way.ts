/**
 * Locally the webhook and the stream consumers share the same cores; on AWS each consumer is its
 * own Lambda and never slows the webhook or another consumer down. So the local stream readers
 * give way, before each batch they deliver:
 *   - every reader to a busy webhook (more than `busy` HTTP requests in flight at some moment of
 *     the last `holdMs`): records are accepted first, judged right after. Not the count of this
 *     instant: while a consumer's batch holds the event loop, requests wait unparsed in their
 *     sockets and the count drops, so under a lasting burst it would say "not busy" exactly when
 *     the consumers crowd the webhook out (measured at 32 clients: half the moments a reader
 *     asked, 11 or fewer were in flight);
 *   - the other readers (events, notifications, the audit trail) also to an evaluator that is
 *     behind: what people wait for is the judgement (POST → violation visible); the events, mails
 *     and the audit trail come from what the evaluator wrote, a moment later.
 * A reader waits at most `maxWaitMs` per batch, so under a lasting burst every consumer still
 * moves on; once it passes they catch up in fuller batches. A server that is not busy (a person,
 * the tests, a few clients) and an evaluator that keeps up are never waited for.
 */
export class GiveWay {
  private inFlight = 0;
  /** When more than `busy` requests were last in flight (performance.now()). */
  private busyAt = Number.NEGATIVE_INFINITY;
  private readonly waiting = new Set<() => void>();
  private readonly busy: number;
  private readonly holdMs: number;
  private readonly maxWaitMs: number;
  private readonly recheckMs: number;

  constructor(opts: { busy?: number; holdMs?: number; maxWaitMs?: number; recheckMs?: number } = {}) {
    this.busy = opts.busy ?? 16;
    this.holdMs = opts.holdMs ?? 100;
    this.maxWaitMs = opts.maxWaitMs ?? 1_000;
    this.recheckMs = opts.recheckMs ?? 20;
  }

  private webhookBusy(): boolean {
    return this.inFlight > this.busy || performance.now() - this.busyAt < this.holdMs;
  }

  /** A request begins; call what this returns once it is answered (more calls change nothing). */
  begin(): () => void {
    this.inFlight++;
    if (this.inFlight > this.busy) this.busyAt = performance.now();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.inFlight--;
      if (!this.webhookBusy()) for (const wake of [...this.waiting]) wake();
    };
  }

  /**
   * Resolves at once when the webhook is not busy and `behind` (a consumer that goes first is
   * behind) says no; else once both say so (asked again every `recheckMs`, and when a request
   * ends), or once `maxWaitMs` passed.
   */
  async giveWay(behind?: () => boolean): Promise<void> {
    const mustWait = () => this.webhookBusy() || (behind?.() ?? false);
    if (!mustWait()) return;
    await new Promise<void>((resolve) => {
      const release = () => {
        clearTimeout(timer);
        clearInterval(recheck);
        this.waiting.delete(wake);
        resolve();
      };
      const wake = () => {
        if (!mustWait()) release();
      };
      const timer = setTimeout(release, this.maxWaitMs);
      const recheck = setInterval(wake, this.recheckMs);
      this.waiting.add(wake);
    });
  }
}
