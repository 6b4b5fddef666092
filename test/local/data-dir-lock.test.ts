/**
 * Issue 11 item 10: one DynamoDB Local per data folder. A live owner is a clear error; a kill -9
 * of the owner leaves no Java behind (a watchdog ends it), and its stale lock is taken over.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { DataDirLockedError, isAlive, LOCK_FILE, lockDataDir } from "../../functions/local/data-dir-lock.ts";
import { startDynamoDbLocal } from "../../functions/local/dynamodb-local.ts";

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  for (let waited = 0; !check(); waited += 100) {
    if (waited > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A pid that surely belongs to no process any more: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn("true");
  await new Promise((r) => child.once("exit", r));
  return child.pid as number;
}

describe("the data folder lock", () => {
  it("refuses a second owner while the first lives, naming it; takes over a dead owner's lock", async () => {
    const dir = mkdtempSync(join(tmpdir(), "lock-"));
    const first = await lockDataDir(dir);
    // another live process (our parent) owning it: refused
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: process.ppid, at: "2026-01-01T00:00:00Z" }));
    const refused = await lockDataDir(dir).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DataDirLockedError);
    expect((refused as Error).message).toContain(`in use by process ${process.ppid}`);
    // a dead owner: taken over
    writeFileSync(join(dir, LOCK_FILE), JSON.stringify({ pid: await deadPid(), at: "2026-01-01T00:00:00Z" }));
    const taken = await lockDataDir(dir);
    taken.release();
    first.release();
  });

  it("a kill -9 of the owner leaves no Java behind, and the next start on the folder succeeds", async () => {
    const dir = mkdtempSync(join(tmpdir(), "orphan-"));
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL("../fixtures/data-dir-owner.ts", import.meta.url)), dir],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    await until("the owner to start", () => /ready /.test(out) || child.exitCode !== null, 60_000);
    const { pid, javaPid } = JSON.parse(out.slice(out.indexOf("ready ") + 6).split("\n")[0] as string) as {
      pid: number;
      javaPid: number;
    };
    expect(isAlive(javaPid)).toBe(true);

    // while it lives, a second start on the folder is refused
    const second = await startDynamoDbLocal({ dataDir: dir }).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(DataDirLockedError);

    child.kill("SIGKILL");
    await until("the owner to die", () => !isAlive(pid));
    await until("the orphaned Java to die", () => !isAlive(javaPid));

    const next = await startDynamoDbLocal({ dataDir: dir });
    try {
      expect(next.pid).not.toBe(javaPid);
    } finally {
      await next.stop();
    }
  }, 120_000);
});
