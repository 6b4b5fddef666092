/**
 * One DynamoDB Local per data folder. Two Javas on one SQLite file corrupt it; a `kill -9` of
 * `npm start` used to leave Java running, and the next start on the same COMPLIANCE_DATA_DIR then
 * started a second one. The folder's lock file names the Node process that owns it and its Java:
 * - a live owner: a clear error (which process, which folder);
 * - a dead owner (a stale lock): taken over, and its orphaned Java (if one is still running, and it
 *   is really DynamoDB Local) is killed first.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DomainError } from "../core/errors.ts";
import { AGAIN, retry } from "../core/retry.ts";

export const LOCK_FILE = "dynamodb-local.lock";

export interface LockOwner {
  readonly pid: number;
  readonly javaPid?: number;
  readonly at: string;
}

export class DataDirLockedError extends DomainError<"data_dir_locked"> {
  readonly owner: LockOwner;
  constructor(dir: string, owner: LockOwner) {
    super(
      "data_dir_locked",
      `${dir} is in use by process ${owner.pid} (since ${owner.at}): stop it first, or use another COMPLIANCE_DATA_DIR`,
    );
    this.owner = owner;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM"; // alive, someone else's
  }
}

/** Whether `pid` is a DynamoDB Local Java (Linux: its command line; elsewhere we cannot tell: no). */
function isDynamoDbLocal(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("DynamoDBLocal");
  } catch {
    return false;
  }
}

function readOwner(file: string): LockOwner | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, "utf8")) as Partial<LockOwner>;
    return typeof parsed.pid === "number" ? (parsed as LockOwner) : undefined;
  } catch {
    return undefined;
  }
}

export interface DataDirLock {
  /** Records the Java this process started, so a later taker can end it if we die. */
  setJavaPid(pid: number | undefined): void;
  /** Removes the lock file if it is still ours. Idempotent. */
  release(): void;
}

const LOCK_ATTEMPTS = 3;

/** SIGKILLs an orphaned DynamoDB Local and gives it up to 5 s to go (the lock is taken over either way). */
async function endOrphan(javaPid: number): Promise<void> {
  if (!isDynamoDbLocal(javaPid)) return;
  process.kill(javaPid, "SIGKILL");
  await retry(
    { attempts: 100, backoffMs: () => 50, sleep },
    async () => (isAlive(javaPid) ? AGAIN : undefined),
    () => new Error(`process ${javaPid} outlived SIGKILL`),
  ).catch(() => {});
}

export async function lockDataDir(dir: string): Promise<DataDirLock> {
  const file = join(dir, LOCK_FILE);
  const write = (owner: LockOwner, flag: "wx" | "w") =>
    writeFileSync(file, `${JSON.stringify(owner)}\n`, { flag });
  const mine: { -readonly [K in keyof LockOwner]: LockOwner[K] } = {
    pid: process.pid,
    at: new Date().toISOString(),
  };
  // three tries: another process may take the lock between our removing a stale one and writing ours
  await retry(
    { attempts: LOCK_ATTEMPTS },
    async (attempt) => {
      try {
        write(mine, "wx");
        return undefined;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt >= LOCK_ATTEMPTS) throw error;
      }
      const owner = readOwner(file);
      if (owner && owner.pid !== process.pid && isAlive(owner.pid)) throw new DataDirLockedError(dir, owner);
      // stale: its owner is dead. Its Java may live on (an orphan of kill -9): end it first.
      if (owner?.javaPid !== undefined && isAlive(owner.javaPid)) await endOrphan(owner.javaPid);
      rmSync(file, { force: true });
      return AGAIN;
    },
    // not reached: the last attempt throws its own error
    () => new Error(`could not lock ${dir}`),
  );
  let released = false;
  return {
    setJavaPid: (pid) => {
      if (released) return;
      mine.javaPid = pid;
      write(mine, "w");
    },
    release: () => {
      if (released) return;
      released = true;
      if (readOwner(file)?.pid === process.pid) rmSync(file, { force: true });
    },
  };
}
