/**
 * The local server's static-files branch for the web console: files from the built folder, the
 * console's views answered with its index.html, config.json, security headers, nothing outside the
 * folder, and the API's routes untouched.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handler as health } from "../../functions/handlers/health.ts";
import type { Handlers } from "../../functions/local/http-server.ts";
import { startHttpServer } from "../../functions/local/http-server.ts";

let server: Server;
let base: string;

beforeAll(async () => {
  const parent = mkdtempSync(join(tmpdir(), "console-files-"));
  const root = join(parent, "dist");
  mkdirSync(join(root, "assets"), { recursive: true });
  writeFileSync(join(root, "index.html"), "<!doctype html><title>console</title>");
  writeFileSync(join(root, "assets", "index-abc.js"), "console.log(1)");
  writeFileSync(join(parent, "secret.txt"), "outside");
  const refuse = async () => {
    throw new Error("not under test");
  };
  const handlers: Handlers = {
    health,
    ingest: refuse,
    evaluate: refuse,
    auditor: refuse,
    cases: refuse,
    local: refuse,
  };
  server = await startHttpServer(handlers, 0, "127.0.0.1", {
    root,
    config: { signIn: "local", timeZone: "Asia/Shanghai" },
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe("the console's files on the local server", () => {
  it("serves a built file with its type, long caching and the security headers", async () => {
    const response = await fetch(`${base}/console/assets/index-abc.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(response.headers.get("cache-control")).toContain("immutable");
    expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(response.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(await response.text()).toBe("console.log(1)");
  });

  it("answers every view's URL with index.html, uncached, so links and reloads work", async () => {
    for (const path of [
      "/console/",
      "/console/violations?status=open&area=contract-clauses",
      "/console/violations/abc",
    ]) {
      const response = await fetch(`${base}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(response.headers.get("cache-control")).toBe("no-cache");
      expect(await response.text()).toContain("<title>console</title>");
    }
    const bare = await fetch(`${base}/console?x=1`, { redirect: "manual" });
    expect(bare.status).toBe(308);
    expect(bare.headers.get("location")).toBe("/console/?x=1");
  });

  it("says how people sign in here and the company's time zone", async () => {
    const response = await fetch(`${base}/console/config.json`);
    expect(await response.json()).toEqual({ signIn: "local", timeZone: "Asia/Shanghai" });
  });

  it("never serves a file outside the built folder", async () => {
    for (const path of [
      "/console/..%2fsecret.txt",
      "/console/%2e%2e/secret.txt",
      "/console/assets/..%2f..%2fsecret.txt",
    ]) {
      const text = await (await fetch(`${base}${path}`)).text();
      expect(text).not.toContain("outside");
    }
  });

  it("refuses writes, and leaves the API's routes to the API", async () => {
    expect((await fetch(`${base}/console/`, { method: "POST" })).status).toBe(405);
    const health200 = await fetch(`${base}/health`);
    expect(await health200.json()).toEqual({ status: "ok" });
    expect((await fetch(`${base}/consoles`)).status).toBe(404);
  });
});
