/**
 * The platform the browser tests drive: `npm start`'s own entry point (functions/local/main.ts) in a
 * child process on an ephemeral port, with its embedded DynamoDB Local and the local development
 * credentials — exactly what a person gets from `npm start`. Records are posted over HTTP, signed
 * by an HMAC written here from CONTRACT §2 (not the product's signer).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";

export const INGEST_CLIENT = "local";
export const INGEST_SECRET = "local-dev-secret";
export const READER_TOKEN = "local-auditor-token";

export interface RunningPlatform {
  readonly url: string;
  readonly child: ChildProcess;
  readonly output: string[];
}

export async function startNpmStartPlatform(cwd: string): Promise<RunningPlatform> {
  // as a person's `npm start`: in memory, its own DynamoDB Local, the local development credentials
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: "0", POWERTOOLS_LOG_LEVEL: "ERROR" };
  for (const name of Object.keys(env)) if (name.startsWith("COMPLIANCE_")) delete env[name];
  const child = spawn(process.execPath, ["functions/local/main.ts"], {
    cwd,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const url = await new Promise<string>((resolve, reject) => {
    let found: string | undefined;
    const timer = setTimeout(
      () => reject(new Error(`npm start did not get ready:\n${output.join("\n")}`)),
      90_000,
    );
    const onLine = (chunk: Buffer) => {
      for (const line of chunk.toString().split("\n")) {
        if (!line) continue;
        output.push(line);
        found ??= /^compliance platform at (http:\/\/\S+)/.exec(line)?.[1];
        if (line === "ready" && found) {
          clearTimeout(timer);
          resolve(found);
        }
      }
    };
    child.stdout?.on("data", onLine);
    child.stderr?.on("data", onLine);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${code}):\n${output.join("\n")}`));
    });
  });
  return { url, child, output };
}

export async function stopPlatform(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((done) => child.once("exit", done));
  child.kill("SIGTERM");
  await Promise.race([exited, sleep(20_000).then(() => child.kill("SIGKILL"))]);
}

/** POST /v1/records signed as an ingest client (`v1=` of CONTRACT §2). */
export async function postRecord(base: string, record: unknown): Promise<Response> {
  const body = JSON.stringify(record);
  const t = Math.floor(Date.now() / 1000);
  const v1 = createHmac("sha256", INGEST_SECRET).update(`${t}.${body}`).digest("hex");
  const response = await fetch(`${base}/v1/records`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "x-client-id": INGEST_CLIENT,
      "x-signature": `t=${t},v1=${v1}`,
    },
    body,
  });
  if (response.status >= 300)
    throw new Error(`POST /v1/records: ${response.status} ${await response.text()}`);
  return response;
}

export async function readerGet<T>(base: string, path: string): Promise<T> {
  const response = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${READER_TOKEN}` } });
  if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Waits until the evaluator has judged what was posted (violations are visible to readers). */
export async function waitForViolations(base: string, recordId: string, atLeast: number): Promise<void> {
  for (let i = 0; i < 150; i++) {
    const list = await readerGet<{ items: unknown[] }>(base, `/v1/violations?recordId=${recordId}`);
    if (list.items.length >= atLeast) return;
    await sleep(200);
  }
  throw new Error(`no violations for ${recordId}`);
}
