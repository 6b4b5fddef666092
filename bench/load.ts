/**
 * The load generator of the platform benchmark, on its own thread (bench/load-worker.ts).
 *
 * Why a thread: the platform under test (HTTP server, handlers, stream readers) runs on this
 * process's main thread, as under `npm start`. A load generator on the same event loop takes its
 * time from the server it measures — profiled at ingest c32: the loop was busy 97–100 % of the
 * time, a good part of it signing, sending and parsing the client's own requests. Load tools
 * (wrk, k6) run apart from the server for that reason. Both loads — the raw PutItem ceiling and
 * the POSTs — come from this one thread, so the ratio between them compares like with like.
 *
 * Times crossing threads are epoch milliseconds (performance.timeOrigin + performance.now()), so
 * the main thread can set them against what it observed itself. The records and the raw items
 * cross once, when the thread starts; jobs name them by position.
 */
import { Worker } from "node:worker_threads";
import type { RecordEnvelope } from "../schemas/record.ts";

/** Runs `job` on `concurrency` workers until `until()` says stop (checked before each job). */
export async function workers(concurrency: number, until: () => boolean, job: () => Promise<boolean>) {
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (!until()) if (!(await job())) return;
    }),
  );
}

/** Now, in epoch milliseconds with sub-millisecond precision, comparable across threads. */
export const epochNow = () => performance.timeOrigin + performance.now();

export interface LoadSetup {
  readonly url: string;
  readonly endpoint: string;
  readonly clientId: string;
  readonly secret: string;
  readonly auditorToken: string;
  /** Epoch ms at which the platform's clock read BENCH_NOW (it runs at real speed from there). */
  readonly epoch: number;
  /** Every generated record; POST jobs take them from `from` on. */
  readonly records: readonly RecordEnvelope[];
  /** Stored-revision items for the raw PutItems (cycled, each under a new key). */
  readonly items: readonly Record<string, unknown>[];
}

/**
 * POSTs records[from], records[from + 1] … (at most `count`) at `concurrency` until they run out,
 * or `maxMs` passes (if given).
 */
export interface PostsJob {
  readonly kind: "posts";
  readonly from: number;
  readonly count: number;
  readonly concurrency: number;
  readonly maxMs?: number;
}

export interface PostsResult {
  /** Records sent (the caller's feed moves on by this many). */
  readonly sent: number;
  readonly accepted: number;
  /** Answers other than 202: count and first body by status. */
  readonly refused: Readonly<Record<string, { readonly count: number; readonly body: string }>>;
  readonly startedAt: number;
  readonly endedAt: number;
}

/**
 * POSTs records[from + i] for each i and, for those expected to fire (`expected[i]` violations),
 * polls the auditor API every `pollMs` until it shows them all for the record (or `timeoutMs`
 * passes). Stops after `samples` samples or `maxMs`.
 */
export interface LatencyJob {
  readonly kind: "latency";
  readonly from: number;
  readonly expected: readonly number[];
  readonly concurrency: number;
  readonly samples: number;
  readonly maxMs: number;
  readonly pollMs: number;
  readonly timeoutMs: number;
}

export interface LatencySample {
  readonly pk: string;
  readonly sent: number;
  readonly answered: number;
  readonly visible: number;
}

export interface LatencyResult {
  readonly sent: number;
  readonly samples: readonly LatencySample[];
  readonly timeouts: number;
  readonly refused: number;
  readonly polls: number;
  readonly startedAt: number;
  readonly endedAt: number;
}

/**
 * PutItem of the setup's `items` (cycled, each under a new key `${pk}#${n}`) into `table` at
 * `concurrency` until `count` puts or `maxMs`, whichever comes first.
 */
export interface PutsJob {
  readonly kind: "puts";
  readonly table: string;
  readonly concurrency: number;
  readonly count?: number;
  readonly maxMs: number;
}

export interface PutsResult {
  readonly puts: number;
  readonly startedAt: number;
  readonly endedAt: number;
}

export type Job = PostsJob | LatencyJob | PutsJob;
type ResultOf<J extends Job> = J extends PostsJob
  ? PostsResult
  : J extends LatencyJob
    ? LatencyResult
    : PutsResult;

export type Reply =
  | { readonly id: number; readonly ok: true; readonly result: PostsResult | LatencyResult | PutsResult }
  | { readonly id: number; readonly ok: false; readonly error: string };

/** The main thread's handle on the load thread: one job at a time, each answered by a message. */
export class LoadGenerator {
  private readonly worker: Worker;
  private readonly waiting = new Map<number, { resolve: (r: never) => void; reject: (e: Error) => void }>();
  private nextId = 0;

  constructor(setup: LoadSetup) {
    this.worker = new Worker(new URL("./load-worker.ts", import.meta.url), { workerData: setup });
    this.worker.on("message", (reply: Reply) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      if (reply.ok) waiter?.resolve(reply.result as never);
      else waiter?.reject(new Error(`load thread: ${reply.error}`));
    });
    this.worker.on("error", (error) => {
      for (const w of this.waiting.values()) w.reject(error);
      this.waiting.clear();
    });
  }

  run<J extends Job>(job: J): Promise<ResultOf<J>> {
    const id = this.nextId++;
    return new Promise<ResultOf<J>>((resolve, reject) => {
      this.waiting.set(id, { resolve: resolve as (r: never) => void, reject });
      this.worker.postMessage({ id, job });
    });
  }

  async close(): Promise<void> {
    await this.worker.terminate();
  }
}
