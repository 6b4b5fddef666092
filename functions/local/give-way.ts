/**
 * Locally the webhook and the stream consumers share the same cores; on AWS each consumer is its
 * own Lambda and never slows the webhook or another consumer down. So the local stream readers
 * give way, before each batch they deliver:
 *   - every reader to a busy webhook (more than `busy` HTTP requests in flight): records are
 *     accepted first, judged right after;
 *   - the other readers (events, notifications, the audit trail) also to an evaluator that is
 *     behind: what people wait for is the judgement (POST → violation visible); the events, mails
 *     and the audit trail come from what the evaluator wrote, a moment later.
 * A reader waits at most `maxWaitMs` per batch, so under a lasting burst every consumer still
 * moves on; once it passes they catch up in fuller batches. A server that is not busy (a person,
 * the tests, a few clients) and an evaluator that keeps up are never waited for.
 */
export class GiveWay {
  private inFlight = 0;
  private readonly waiting = new Set<() => void>();
  private readonly busy: number;
  private readonly maxWaitMs: number;
  private readonly recheckMs: number;

  constructor(opts: { busy?: number; maxWaitMs?: number; recheckMs?: number } = {}) {
    this.busy = opts.busy ?? 16;
    this.maxWaitMs = opts.maxWaitMs ?? 1_000;
    this.recheckMs = opts.recheckMs ?? 20;
  }

  /** A request begins; call what this returns once it is answered (more calls change nothing). */
  begin(): () => void {
    this.inFlight++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.inFlight--;
      if (this.inFlight <= this.busy) for (const wake of [...this.waiting]) wake();
    };
  }

  /**
   * Resolves at once when the server is not busy and `behind` (a consumer that goes first is
   * behind) says no; else once both say so (`behind` is asked again every `recheckMs`), or once
   * `maxWaitMs` passed.
   */
  async giveWay(behind?: () => boolean): Promise<void> {
    const mustWait = () => this.inFlight > this.busy || (behind?.() ?? false);
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
      const recheck = behind ? setInterval(wake, this.recheckMs) : undefined;
      this.waiting.add(wake);
    });
  }
}
