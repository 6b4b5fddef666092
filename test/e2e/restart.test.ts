/**
 * Durability across a restart (CONTRACT §5 `COMPLIANCE_DATA_DIR`): the platform runs on its own
 * DynamoDB Local persisted in a data folder. Records are stored and evaluated; more are
 * acknowledged (202) and the platform is stopped at once, before its evaluator necessarily ran.
 * Started again on the same folder, every acknowledged revision is still there and every one of
 * them is evaluated, with exactly one violation per (record, rule). One restart cycle only: each
 * start of Java costs seconds.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type LocalPlatform, startPlatform } from "../../functions/local/platform-runtime.ts";
import type { RecordInput } from "../../schemas/record.ts";
import { discountedQuote, expense, overBudget } from "../support/records.ts";
import {
  Api,
  CREDENTIALS_ENV,
  type ErrorJson,
  expectDocumented,
  type IngestJson,
  type RecordJson,
  type ViolationJson,
} from "./helpers.ts";

const dataDir = mkdtempSync(join(tmpdir(), "e2e-restart-"));
const logs: string[] = [];
let running: LocalPlatform | undefined;

async function start(): Promise<{ platform: LocalPlatform; api: Api }> {
  const platform = await startPlatform({
    env: {
      PORT: "0",
      COMPLIANCE_DATA_DIR: dataDir,
      COMPLIANCE_TABLE_PREFIX: "restart-",
      COMPLIANCE_SWEEP_INTERVAL_S: "3600",
      ...CREDENTIALS_ENV,
    },
    log: (line) => logs.push(line),
  });
  running = platform;
  return { platform, api: new Api(platform.url, () => new Date()) };
}

afterAll(async () => {
  await running?.stop();
  rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

/** What each record's violations must be once its latest revision is evaluated. */
interface Expected {
  readonly record: RecordInput;
  /** ruleId → [status, history statuses, evidence subset] */
  readonly violations: Readonly<
    Record<string, readonly [string, readonly string[], Record<string, unknown>]>
  >;
}

async function ingestAll(api: Api, records: readonly RecordInput[]) {
  const answers = await Promise.all(
    records.map(async (record) =>
      expectDocumented(await api.post<IngestJson & ErrorJson>("/v1/records", record), "POST", "/v1/records"),
    ),
  );
  for (const [i, answer] of answers.entries()) {
    const record = records[i] as RecordInput;
    expect(answer.status, `${record.id}@${record.revision}: ${answer.text}`).toBe(202);
    expect(answer.body).toEqual({
      key: `${record.type}/${record.id}`,
      revision: record.revision,
      duplicate: false,
    });
  }
}

async function expectEvaluated(api: Api, expected: readonly Expected[]) {
  for (const { record, violations } of expected) {
    const found = await api.violations({ recordType: record.type, recordId: record.id });
    const what = `${record.type}/${record.id}`;
    expect(found.map((v) => v.ruleId).sort(), what).toEqual(Object.keys(violations).sort());
    for (const v of found) {
      const [status, history, evidence] = violations[v.ruleId] as [string, string[], Record<string, unknown>];
      expect(v.status, `${what} ${v.ruleId}`).toBe(status);
      expect(v.record.revision, `${what} ${v.ruleId} judged on the latest revision`).toBe(record.revision);
      expect(
        v.history.map((h) => h.status),
        `${what} ${v.ruleId} history`,
      ).toEqual(history);
      expect(v.evidence, `${what} ${v.ruleId}`).toMatchObject(evidence);
    }
  }
}

describe("restart on the same COMPLIANCE_DATA_DIR", () => {
  it("keeps every acknowledged revision and evaluates every one of them after the restart, without duplicates", async () => {
    // ── first run: stored and evaluated ──────────────────────────────────────────────────────────
    const first = await start();
    const before: RecordInput[] = [
      overBudget("RS-A1", 1, 12001),
      overBudget("RS-A2", 1, 12002),
      expense("RS-A3", 1, { attachments: 0 }),
      discountedQuote("RS-A4", 1),
    ];
    await ingestAll(first.api, before);
    await first.platform.drained();
    await expectEvaluated(first.api, [
      {
        record: before[0] as RecordInput,
        violations: { "over-budget": ["open", ["open"], { amount: 12001 }] },
      },
      {
        record: before[1] as RecordInput,
        violations: { "over-budget": ["open", ["open"], { amount: 12002 }] },
      },
      { record: before[2] as RecordInput, violations: { "supporting-documents": ["open", ["open"], {}] } },
      { record: before[3] as RecordInput, violations: { "discount-authority": ["open", ["open"], {}] } },
    ]);

    // ── more records, acknowledged, then an immediate stop ───────────────────────────────────────
    const fresh = Array.from({ length: 12 }, (_, i) => overBudget(`RS-B${i + 1}`, 1, 20001 + i));
    const after: RecordInput[] = [
      expense("RS-A1", 2), // back within budget: resolves RS-A1's violation
      overBudget("RS-A2", 2, 13002), // still over budget, with a new amount
      ...fresh,
      discountedQuote("RS-B13", 1),
    ];
    await ingestAll(first.api, after);
    await first.platform.stop();
    running = undefined;

    // ── second run on the same data ─────────────────────────────────────────────────────────────
    const second = await start();
    const latest = new Map<string, RecordInput>();
    for (const record of [...before, ...after]) latest.set(`${record.type}/${record.id}`, record);
    for (const record of [...before, ...after]) {
      const stored = expectDocumented(
        await second.api.get<RecordJson & ErrorJson>(`/v1/records/${record.type}/${record.id}`),
        "GET",
        "/v1/records/{type}/{id}",
      );
      expect(stored.status, `${record.id}@${record.revision} survives the restart`).toBe(200);
      expect(stored.body.revisions).toContain(record.revision);
      expect(stored.body.record.revision).toBe(latest.get(`${record.type}/${record.id}`)?.revision);
    }

    await second.platform.drained();
    await expectEvaluated(second.api, [
      {
        record: after[0] as RecordInput,
        violations: { "over-budget": ["resolved", ["open", "resolved"], { amount: 12001 }] },
      },
      {
        record: after[1] as RecordInput,
        violations: { "over-budget": ["open", ["open"], { amount: 13002 }] },
      },
      { record: before[2] as RecordInput, violations: { "supporting-documents": ["open", ["open"], {}] } },
      { record: before[3] as RecordInput, violations: { "discount-authority": ["open", ["open"], {}] } },
      ...fresh.map((record, i) => ({
        record,
        violations: { "over-budget": ["open", ["open"], { amount: 20001 + i }] as const },
      })),
      { record: after.at(-1) as RecordInput, violations: { "discount-authority": ["open", ["open"], {}] } },
    ]);

    // one violation per (record, policy, rule) in the whole log, and nothing else
    const all: ViolationJson[] = await second.api.violations({ limit: "7" });
    const keys = all.map((v) => `${v.record.type}/${v.record.id}/${v.policyId}/${v.ruleId}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(new Set(all.map((v) => v.id)).size).toBe(all.length);
    expect(all).toHaveLength(4 + fresh.length + 1);
  }, 240_000);
});
