/**
 * Runs a Lambda bundle as Lambda would: in its own worker thread (its own module instance, so its
 * own clients and caches, as a container has) with its own `process.env` (the template's variables
 * and what the Lambda runtime sets), invoked with `(event, context)`. When the local runtime runs
 * on a clock of its caller's (tests move a fixed one), the worker's Date shows that clock's time
 * at each invocation; otherwise the worker's clock is the real one.
 */
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";

/** The worker: fixes Date to the caller's clock, imports the bundle, answers invocations. */
const WORKER_SOURCE = `
import { parentPort, workerData } from "node:worker_threads";
const RealDate = Date;
let pinned;
class LocalDate extends RealDate {
  constructor(...args) { if (args.length === 0) super(pinned ?? RealDate.now()); else super(...args); }
  static now() { return pinned ?? RealDate.now(); }
}
if (workerData.pinned) globalThis.Date = LocalDate;
const { handler } = await import(workerData.bundle);
parentPort.on("message", async ({ id, event, requestId, nowMs, timeoutMs }) => {
  pinned = nowMs;
  const deadline = RealDate.now() + timeoutMs;
  const context = {
    awsRequestId: requestId,
    functionName: workerData.name,
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - RealDate.now()),
  };
  try {
    parentPort.postMessage({ id, result: await handler(event, context) });
  } catch (error) {
    parentPort.postMessage({ id, error: { name: error?.name ?? "Error", message: String(error?.message ?? error) } });
  }
});
parentPort.postMessage({ ready: true });
`;

export class BundleInvocationError extends Error {
  readonly code = "bundle_invocation_failed";
}

export interface HostedBundle {
  invoke(event: unknown, context?: { awsRequestId?: string }): Promise<unknown>;
  stop(): Promise<void>;
}

let sequence = 0;

export async function hostBundle(opts: {
  readonly name: string;
  readonly file: string;
  readonly env: Readonly<Record<string, string>>;
  /** The caller's clock, if not the real one. */
  readonly now?: () => Date;
  readonly timeoutMs?: number;
}): Promise<HostedBundle> {
  const runner = join(dirname(opts.file), "local-runner.mjs");
  writeFileSync(runner, WORKER_SOURCE);
  const worker = new Worker(runner, {
    env: { ...opts.env },
    workerData: { bundle: pathToFileURL(opts.file).href, name: opts.name, pinned: opts.now !== undefined },
  });
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  let failed: Error | undefined;
  const failAll = (error: Error) => {
    failed = error;
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  await new Promise<void>((resolve, reject) => {
    worker.once("error", reject);
    worker.once("message", () => resolve());
  });
  worker.on("message", (m: { id: number; result?: unknown; error?: { name: string; message: string } }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.error) {
      const error = new BundleInvocationError(`${opts.name}: ${m.error.message}`);
      error.name = m.error.name;
      p.reject(error);
    } else p.resolve(m.result);
  });
  worker.on("error", (error) =>
    failAll(new BundleInvocationError(`${opts.name} bundle crashed: ${error.message}`)),
  );
  worker.on("exit", (code) => failAll(new BundleInvocationError(`${opts.name} bundle exited (${code})`)));
  return {
    invoke(event, context) {
      if (failed) return Promise.reject(failed);
      const id = ++sequence;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({
          id,
          event,
          requestId: context?.awsRequestId ?? `local-${id}`,
          nowMs: opts.now?.().getTime(),
          timeoutMs: opts.timeoutMs ?? 30_000,
        });
      });
    },
    async stop() {
      worker.removeAllListeners("exit");
      await worker.terminate();
    },
  };
}
