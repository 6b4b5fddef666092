/**
 * Policy versions end to end (CONTRACT §4, README "a record is judged by the version in force at
 * its occurredAt"): a policies folder with expense-approval v1 and a v2 (effective 2026-06-01,
 * department-head authority lowered from 5,000 to 3,000). Records either side of the switch are
 * judged by the right version over HTTP, dry run and stored; GET /v1/policies lists both with the
 * sha256 of each file; and a released version whose file was edited is refused at the next start.
 */
import { createHash } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startPlatform } from "../../functions/local/platform-runtime.ts";
import { isLaterVersion } from "../support/policies.ts";
import { expense } from "../support/records.ts";
import {
  CREDENTIALS_ENV,
  type E2ePlatform,
  type ErrorJson,
  type EvaluationJson,
  expectDocumented,
  type IngestJson,
  type PolicyListJson,
  sharedEndpoint,
  startE2ePlatform,
  type ViolationJson,
} from "./helpers.ts";

const SHIPPED = fileURLToPath(new URL("../../policies/", import.meta.url));
const EXPENSE_DIR = "approval-limits/expense-approval";

const work = mkdtempSync(join(tmpdir(), "e2e-policy-versions-"));
const policiesDir = join(work, "policies");

/** Replaces exactly one occurrence of `from`, so the edit cannot silently miss. */
function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const count = text.split(from).length - 1;
  if (count !== 1) throw new Error(`expected exactly one ${String(from)}, found ${count}`);
  return text.replace(from, to);
}

const sha256 = (path: string) => createHash("sha256").update(readFileSync(path)).digest("hex");

/**
 * The shipped policies as first released (every v1) plus expense-approval v2: effective
 * 2026-06-01, department head 3,000.
 */
function writePolicies(dir: string) {
  cpSync(SHIPPED, dir, { recursive: true, filter: (src) => !isLaterVersion(src) });
  const v1 = readFileSync(join(dir, EXPENSE_DIR, "v1.yaml"), "utf8");
  let v2 = replaceOnce(v1, /^version: 1$/m, "version: 2");
  v2 = replaceOnce(v2, /^effectiveFrom: 2026-01-01$/m, "effectiveFrom: 2026-06-01");
  v2 = replaceOnce(v2, /^ {4}department-head: 5000$/m, "    department-head: 3000");
  writeFileSync(join(dir, EXPENSE_DIR, "v2.yaml"), v2);
}

let e2e: E2ePlatform;

beforeAll(async () => {
  writePolicies(policiesDir);
  e2e = await startE2ePlatform({ tag: "pv", env: { COMPLIANCE_POLICIES_DIR: policiesDir } });
}, 120_000);
afterAll(async () => {
  await e2e?.close();
  rmSync(work, { recursive: true, force: true });
}, 60_000);

/** A submitted expense of `amount` whose leadership approval is the department head's (dh.lin). */
function approvedByDepartmentHead(id: string, revision: number, occurredAt: string, amount = 4000) {
  return expense(
    id,
    revision,
    {
      amount,
      budget: { lineId: "MKT-2026-EVENTS", remaining: 20000 },
      status: "approved",
      approvals: [
        {
          step: "department-review",
          approver: "dh.lin",
          role: "department-head",
          decision: "approved",
          at: "2026-05-20T02:00:00Z",
        },
        {
          step: "finance-review",
          approver: "fin.wang",
          role: "finance",
          decision: "approved",
          at: "2026-05-21T02:00:00Z",
        },
        {
          step: "leadership-approval",
          approver: "dh.lin",
          role: "department-head",
          decision: "approved",
          at: "2026-05-22T02:00:00Z",
        },
      ],
    },
    occurredAt,
  );
}

async function dryRun(record: unknown) {
  const answer = expectDocumented(
    await e2e.api.post<EvaluationJson & ErrorJson>("/v1/evaluate", record),
    "POST",
    "/v1/evaluate",
  );
  expect(answer.status, answer.text).toBe(200);
  return answer.body;
}

async function store(record: unknown) {
  const answer = expectDocumented(
    await e2e.api.post<IngestJson & ErrorJson>("/v1/records", record),
    "POST",
    "/v1/records",
  );
  expect(answer.status, answer.text).toBe(202);
}

async function violationsOf(id: string): Promise<ViolationJson[]> {
  return e2e.api.violations({ recordType: "expense", recordId: id });
}

describe("a record is judged by the policy version in force at its occurredAt", () => {
  it.each([
    ["2026-05-31T23:59:59Z", 1],
    ["2026-06-01T07:59:59+08:00", 1],
    ["2026-05-31T23:59:59.999Z", 1],
    ["2026-06-01T00:00:00Z", 2],
    ["2026-06-01T08:00:00+08:00", 2],
    ["2026-12-31T00:00:00Z", 2],
  ] as const)("dry run: occurredAt %s → expense-approval v%i", async (occurredAt, version) => {
    const result = await dryRun(approvedByDepartmentHead("PV-DRY", 1, occurredAt));
    expect(result.policies).toEqual([{ id: "expense-approval", version }]);
    const fired = result.violations.map((v) => `${v.ruleId} v${v.policyVersion}`);
    // 4,000 is within v1's 5,000 for a department head, above v2's 3,000
    expect(fired).toEqual(version === 1 ? [] : ["approval-limit v2"]);
  });

  it("before the first version's effectiveFrom no version is in force: nothing judges the record", async () => {
    const result = await dryRun(approvedByDepartmentHead("PV-0", 1, "2025-12-31T23:59:59Z", 999_999));
    expect(result.policies).toEqual([]);
    expect(result.violations).toEqual([]);
  });

  it("v1 (5,000) judges 4,000 approved by a department head on 2026-05-31T23:59:59Z: no violation", async () => {
    const record = approvedByDepartmentHead("PV-1", 1, "2026-05-31T23:59:59Z");
    const predicted = await dryRun(record);
    expect(predicted.policies).toEqual([{ id: "expense-approval", version: 1 }]);
    expect(predicted.violations).toEqual([]);
    await store(record);
    await e2e.platform.drained();
    expect(await violationsOf("PV-1")).toEqual([]);
  });

  it("v2 (3,000) judges the same on 2026-06-01T00:00:00Z: approval-limit, policyVersion 2", async () => {
    const record = approvedByDepartmentHead("PV-2", 1, "2026-06-01T00:00:00Z");
    const predicted = await dryRun(record);
    expect(predicted.policies).toEqual([{ id: "expense-approval", version: 2 }]);
    expect(predicted.violations.map((v) => [v.ruleId, v.policyVersion])).toEqual([["approval-limit", 2]]);
    expect(predicted.violations[0]?.message.en).toMatch(/3,000/);
    await store(record);
    await e2e.platform.drained();
    const stored = await violationsOf("PV-2");
    expect(stored.map((v) => [v.policyId, v.ruleId, v.policyVersion, v.status])).toEqual([
      ["expense-approval", "approval-limit", 2, "open"],
    ]);
    expect(stored[0]?.record).toEqual({ type: "expense", id: "PV-2", revision: 1 });
    expect(stored[0]?.assignees).toEqual([
      { role: "finance", people: ["fin.wang", "fin.zhao"] },
      { role: "marketing-director", people: ["md.li"] },
    ]);
  });

  it("a record whose revisions cross the switch: v1 clean, v2 opens the violation, v2 within the limit resolves it", async () => {
    await store(approvedByDepartmentHead("PV-3", 1, "2026-05-31T12:00:00Z"));
    await e2e.platform.drained();
    expect(await violationsOf("PV-3")).toEqual([]);

    await store(approvedByDepartmentHead("PV-3", 2, "2026-06-02T12:00:00Z"));
    await e2e.platform.drained();
    const opened = await violationsOf("PV-3");
    expect(opened.map((v) => [v.ruleId, v.policyVersion, v.status, v.record.revision])).toEqual([
      ["approval-limit", 2, "open", 2],
    ]);

    await store(approvedByDepartmentHead("PV-3", 3, "2026-06-03T12:00:00Z", 3000));
    await e2e.platform.drained();
    const resolved = await violationsOf("PV-3");
    expect(resolved.map((v) => [v.ruleId, v.status, v.record.revision])).toEqual([
      ["approval-limit", "resolved", 3],
    ]);
    expect(resolved[0]?.id).toBe(opened[0]?.id);
    expect(resolved[0]?.history.map((h) => [h.status, h.by])).toEqual([
      ["open", "system"],
      ["resolved", "system"],
    ]);
  });
});

describe("GET /v1/policies", () => {
  it("lists both versions of expense-approval, each with the sha256 of its file's bytes", async () => {
    const answer = expectDocumented(await e2e.api.get<PolicyListJson>("/v1/policies"), "GET", "/v1/policies");
    expect(answer.status).toBe(200);
    const expense = answer.body.items
      .filter((i) => i.id === "expense-approval")
      .sort((a, b) => a.version - b.version);
    expect(expense).toEqual([
      {
        id: "expense-approval",
        version: 1,
        area: "approval-limits",
        appliesTo: "expense",
        effectiveFrom: expect.stringMatching(/^2026-01-01/),
        sha256: sha256(join(policiesDir, EXPENSE_DIR, "v1.yaml")),
      },
      {
        id: "expense-approval",
        version: 2,
        area: "approval-limits",
        appliesTo: "expense",
        effectiveFrom: expect.stringMatching(/^2026-06-01/),
        sha256: sha256(join(policiesDir, EXPENSE_DIR, "v2.yaml")),
      },
    ]);
    expect(expense[0]?.sha256).not.toBe(expense[1]?.sha256);
    expect(answer.body.items).toHaveLength(6);
  });
});

describe("released versions never change", () => {
  const start = (dir: string) =>
    startPlatform({
      env: {
        PORT: "0",
        COMPLIANCE_DYNAMODB_ENDPOINT: sharedEndpoint(),
        COMPLIANCE_TABLE_PREFIX: e2e.prefix,
        COMPLIANCE_POLICIES_DIR: dir,
        ...CREDENTIALS_ENV,
      },
      log: () => {},
    });

  it("a start on the same tables with the same files is fine (publishing again is a no-op)", async () => {
    const again = await start(policiesDir);
    try {
      const health = await fetch(`${again.url}/health`, { signal: AbortSignal.timeout(10_000) });
      expect(health.status).toBe(200);
    } finally {
      await again.stop();
    }
  });

  it("a released version whose file was edited after publishing is refused at the next start, naming it", async () => {
    const edited = join(work, "edited");
    writePolicies(edited);
    const v1 = join(edited, EXPENSE_DIR, "v1.yaml");
    // still a valid policy: only the published bytes differ (a quiet raise of an authority)
    writeFileSync(
      v1,
      replaceOnce(readFileSync(v1, "utf8"), /^ {4}department-head: 5000$/m, "    department-head: 6000"),
    );

    const refused = start(edited);
    await expect(refused).rejects.toThrow(/expense-approval/);
    await expect(refused).rejects.toThrow(/\bv1\b|version 1\b/);
    // the first platform is untouched and still judges by the published v1
    const result = await dryRun(approvedByDepartmentHead("PV-4", 1, "2026-03-01T00:00:00Z", 5500));
    expect(result.violations.map((v) => [v.ruleId, v.policyVersion])).toEqual([["approval-limit", 1]]);
  });
});
