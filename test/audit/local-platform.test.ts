/**
 * The local platform (startPlatform, as `npm start`) keeps the audit trail: signed POSTs and the
 * evaluator's violation changes reach it through the two audit stream pollers; drained() waits for
 * them; digests are written on demand and at stop; `compliance audit verify` reads the platform's
 * tables.
 */
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditVerifyCommand } from "../../functions/cli/audit.ts";
import { createClients } from "../../functions/local/aws-clients.ts";
import { AuditLogStore } from "../../functions/store/audit-log.ts";
import { deleteTables } from "../../functions/store/create-tables.ts";
import { tableNames } from "../../functions/store/tables.ts";
import { type E2ePlatform, expectDocumented, sharedEndpoint, startE2ePlatform } from "../e2e/helpers.ts";
import { expense, overBudget } from "../support/records.ts";

let e2e: E2ePlatform;
let stopped = false;

beforeAll(async () => {
  e2e = await startE2ePlatform({ tag: "audit", env: { COMPLIANCE_DIGEST_INTERVAL_S: "3600" } });
});
afterAll(async () => {
  if (!stopped) await e2e.platform.stop();
  const { dynamodb, streams } = createClients(sharedEndpoint());
  try {
    await deleteTables(dynamodb, e2e.prefix);
  } finally {
    dynamodb.destroy();
    streams.destroy();
  }
}, 60_000);

describe("the local platform's audit trail", () => {
  it("audits every POSTed revision and violation change, seals them in digests, and verifies", async () => {
    expect(e2e.logs.join("\n")).toContain("COMPLIANCE_AUDIT_KEY not set: using the local development value");
    for (const [i, input] of [overBudget("LP-1", 1), overBudget("LP-2", 1), expense("LP-1", 2)].entries()) {
      const answer = await e2e.api.post("/v1/records", input);
      expect(answer.status, `${i}: ${answer.text}`).toBe(202);
      if (i === 0) {
        // evaluated(): the evaluator has judged it (the audit trail may still be at work)
        await e2e.platform.evaluated();
        const listed = await e2e.api.get<{ items: { status: string }[] }>("/v1/violations", {
          query: { recordId: "LP-1" },
        });
        expect(listed.body.items.map((v) => v.status)).toEqual(["open"]);
      }
      await e2e.platform.drained(); // one at a time: LP-1's violation opens, then resolves
    }
    // 3 revisions, 2 violations opened, 1 resolved
    const first = expectDocumented(await e2e.api.get("/v1/audit/verify"), "GET", "/v1/audit/verify");
    expect(first.status, first.text).toBe(200);
    expect(first.body).toMatchObject({ ok: true, entries: 6, digests: 0 });

    // GET /v1/audit/entries: one record's entries, oldest first, as documented
    const listed = expectDocumented(
      await e2e.api.get<{
        items: { subject: string; kind: string; rev?: number; actor: string }[];
        nextCursor: string | null;
      }>("/v1/audit/entries", { query: { subject: "expense/LP-1" } }),
      "GET",
      "/v1/audit/entries",
    );
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body.items.map((e) => [e.subject, e.kind, e.rev])).toEqual([
      ["expense/LP-1", "record.revision", 1],
      ["expense/LP-1", "record.revision", 2],
    ]);
    expect(listed.body.nextCursor).toBeNull();
    const all = await e2e.api.get<{ items: unknown[] }>("/v1/audit/entries", { query: { limit: "500" } });
    expect(all.body.items).toHaveLength(6);
    expect((await e2e.api.get("/v1/audit/entries", { query: { bogus: "1" } })).status).toBe(400);
    expect((await e2e.api.get("/v1/audit/entries", { query: { cursor: "forged.cursor" } })).status).toBe(400);

    await e2e.platform.digestNow();
    // the digest is anchored outside the tables, in the folder printed at start
    const printed = /audit digests anchored in (\S+)/.exec(e2e.logs.join("\n"))?.[1];
    expect(printed).toBeDefined();
    const anchored = readFileSync(printed as string, "utf8")
      .trim()
      .split("\n");
    expect(anchored.map((l) => JSON.parse(l).seq)).toEqual([1]);
    const lines: string[] = [];
    const io = { out: (l: string) => lines.push(l), err: (l: string) => lines.push(l) };
    const code = await auditVerifyCommand(
      { json: true, endpoint: sharedEndpoint(), prefix: e2e.prefix, anchorDir: dirname(printed as string) },
      io,
      {},
    );
    expect(code).toBe(0);
    expect(JSON.parse(lines.filter((l) => !l.startsWith("notice")).join("\n"))).toMatchObject({
      ok: true,
      entries: 6,
      digests: 1,
      anchored: 1,
      events: 6,
      pending: 0,
      missing: 0,
    });

    // one more change, then stop: the stop seals it in a second digest
    expect((await e2e.api.post("/v1/records", overBudget("LP-3", 1))).status).toBe(202);
    await e2e.platform.drained();
    await e2e.platform.stop();
    stopped = true;
    const { doc, dynamodb } = createClients(sharedEndpoint());
    try {
      const digests = await new AuditLogStore(doc, tableNames(e2e.prefix)).readDigests();
      expect(digests.map((d) => d.chains.reduce((n, c) => n + c.lastSeq, 0))).toEqual([6, 8]);
    } finally {
      dynamodb.destroy();
    }
  });
});
