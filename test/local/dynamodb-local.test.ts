/**
 * Starting DynamoDB Local: it answers on a free port, keeps its data (stream included) in a data
 * folder across a restart, and a missing Java gives a one-line fix instead of a Java-less hang.
 * Each test here starts its own Java (the shared one cannot be restarted), so there are few.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { GetCommand, PutCommand } from "@aws-sdk/lib-dynamodb";
import type { DynamoDBRecord } from "aws-lambda";
import { describe, expect, it } from "vitest";
import { createClients } from "../../functions/local/aws-clients.ts";
import {
  type DynamoDbLocal,
  DynamoDbLocalError,
  JavaMissingError,
  startDynamoDbLocal,
} from "../../functions/local/dynamodb-local.ts";
import { startStreamPoller } from "../../functions/local/stream-poller.ts";
import { createTables } from "../../functions/store/create-tables.ts";

/** Whether anything accepts TCP connections at the endpoint (no SDK: its retries would take seconds). */
function accepts(endpoint: string): Promise<boolean> {
  const { hostname, port } = new URL(endpoint);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

describe("startDynamoDbLocal", () => {
  it("answers on a free port and keeps tables, items and stream positions in dataDir across a restart", async () => {
    const dir = mkdtempSync(join(tmpdir(), "dynamodb-local-"));
    const checkpointFile = join(dir, "checkpoints.json");
    const seen: string[] = [];
    const handler = async (event: { Records: DynamoDBRecord[] }) => {
      for (const r of event.Records) seen.push(r.dynamodb?.NewImage?.pk?.S ?? "?");
    };
    const put = (clients: ReturnType<typeof createClients>, pk: string) =>
      clients.doc.send(new PutCommand({ TableName: "r-records", Item: { pk, rev: 1 } }));
    /** Reads the stream from the checkpoint to its end, then lets go of the clients. */
    const readStream = async (clients: ReturnType<typeof createClients>) => {
      const poller = await startStreamPoller({
        ...clients,
        tableName: "r-records",
        handler,
        checkpointFile,
        pollIntervalMs: 20,
      });
      await poller.drained();
      await poller.stop();
      clients.dynamodb.destroy();
      clients.streams.destroy();
    };

    // relative on purpose: it must be made absolute (Java runs with its cwd inside node_modules)
    const relativeDir = join(dir, "db").replace(`${process.cwd()}/`, "");
    let local: DynamoDbLocal | undefined = await startDynamoDbLocal({ dataDir: relativeDir });
    try {
      expect(local.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(local.endpoint).not.toMatch(/:8000$/);
      let clients = createClients(local.endpoint);
      await createTables(clients.dynamodb, "r-");
      await put(clients, "before#1");
      await put(clients, "before#2");
      await readStream(clients);
      await local.stop();
      await local.stop(); // idempotent
      expect(await accepts(local.endpoint), "Java is gone after stop()").toBe(false);

      local = await startDynamoDbLocal({ dataDir: relativeDir });
      clients = createClients(local.endpoint);
      const { Item } = await clients.doc.send(
        new GetCommand({ TableName: "r-records", Key: { pk: "before#2" } }),
      );
      expect(Item).toEqual({ pk: "before#2", rev: 1 });
      await createTables(clients.dynamodb, "r-"); // idempotent on a persisted database
      await put(clients, "after#1");
      await readStream(clients);
      // the stream survived the restart and the checkpoint still points into it: nothing lost, nothing repeated
      expect(seen).toEqual(["before#1", "before#2", "after#1"]);
    } finally {
      await local?.stop();
    }
  });

  it("leaves Java to a process that handles SIGTERM itself, and still takes it down when that process exits", async () => {
    const child = spawn(
      process.execPath,
      [fileURLToPath(new URL("../fixtures/orderly-shutdown.ts", import.meta.url))],
      {
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    const exited = new Promise<number | null>((done) => child.once("exit", (code) => done(code)));
    for (let waited = 0; !/ready (\S+)/.test(out); waited += 100) {
      if (waited > 60_000 || child.exitCode !== null) throw new Error(`the fixture did not start: ${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const endpoint = (out.match(/ready (\S+)/) as RegExpMatchArray)[1] as string;
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(out).toContain("still answering at shutdown");
    // Java got SIGTERM from the exit hook; give it a moment to let go of its port
    let open = true;
    for (let i = 0; i < 100 && open; i++) {
      open = await accepts(endpoint);
      if (open) await new Promise((r) => setTimeout(r, 100));
    }
    expect(open).toBe(false);
  });

  it("gives up after startTimeoutMs with the output of Java, and stops it", async () => {
    const error = await startDynamoDbLocal({ startTimeoutMs: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DynamoDbLocalError);
    expect(error).toMatchObject({ code: "dynamodb_local_start_timeout" });
    expect((error as Error).message).toMatch(
      /did not answer on http:\/\/127\.0\.0\.1:\d+ within 0 ms; its output ended with:\n/,
    );
  });

  it("rejects with JavaMissingError and a one-line fix when there is no java on the PATH", async () => {
    const emptyPath = mkdtempSync(join(tmpdir(), "no-java-"));
    const pathBefore = process.env.PATH;
    const error = await startDynamoDbLocal({ javaSearchPath: emptyPath }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JavaMissingError);
    expect(error).toMatchObject({ code: "java_missing", cause: { code: "ENOENT" } });
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    expect(message).toContain("Java 17");
    expect(message).toContain("apt-get install openjdk-17-jre-headless");
    expect(message).toContain("COMPLIANCE_DYNAMODB_ENDPOINT");
    expect(process.env.PATH).toBe(pathBefore);
  });
});
