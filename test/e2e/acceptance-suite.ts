/**
 * The acceptance suite (acceptance.test.ts runs it on the handlers' source, acceptance-bundles.test.ts
 * on the bundles cdk synth builds). Acceptance: realistic records modelled on the seed regulations (acceptance-corpus.yaml), each
 * with the exact set of rules CATALOGUE.md says it fires. Every case goes through the platform
 * over HTTP twice: as a dry run (POST /v1/evaluate: the same violations, nothing stored) and
 * stored (POST /v1/records → stream evaluator → GET /v1/violations?recordId=…: exactly those
 * rules, open, assigned to the people policies/org.yaml names, due as the catalogue says).
 *
 * The platform runs on a fixed clock (the corpus's `now`), so deadlines are judged the same way in
 * both passes and on every run.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  durationMs,
  type E2ePlatform,
  type ErrorJson,
  type EvaluationJson,
  expectDocumented,
  type IngestJson,
  type RecordJson,
  startE2ePlatform,
  type ViolationJson,
  type ViolationListJson,
} from "./helpers.ts";

interface CatalogueRule {
  readonly assign: readonly string[];
  readonly due: string;
  readonly documents: readonly string[];
}

interface AcceptanceCase {
  readonly title: string;
  readonly seed: string;
  /** `policyId/ruleId` of every rule the record must fire, and no other. */
  readonly expect: readonly string[];
  readonly record: {
    readonly type: string;
    readonly id: string;
    readonly revision: number;
    readonly data: { readonly department: string } & Record<string, unknown>;
  } & Record<string, unknown>;
}

interface Corpus {
  readonly now: string;
  readonly catalogue: Readonly<Record<string, CatalogueRule>>;
  readonly cases: readonly AcceptanceCase[];
}

interface OrgDirectory {
  readonly roles: Readonly<
    Record<string, { people?: readonly string[]; byDepartment?: Readonly<Record<string, readonly string[]>> }>
  >;
}

const corpus = parse(readFileSync(new URL("./acceptance-corpus.yaml", import.meta.url), "utf8")) as Corpus;
const org = parse(readFileSync(new URL("../../policies/org.yaml", import.meta.url), "utf8")) as OrgDirectory;

const NOW = new Date(corpus.now).toISOString();
const cases = corpus.cases;

/** CATALOGUE.md: one policy per record type, in its area. */
const POLICY_OF_TYPE: Readonly<Record<string, { id: string; area: string }>> = {
  expense: { id: "expense-approval", area: "approval-limits" },
  quote: { id: "quote-approval", area: "approval-limits" },
  access: { id: "confidential-access", area: "confidentiality-access" },
  contract: { id: "contract-clauses", area: "contract-clauses" },
  complaint: { id: "complaint-response", area: "complaint-response" },
};

/** CONTRACT §3: people from the org directory; department-scoped roles by the record's department. */
function peopleFor(role: string, department: string): readonly string[] {
  const entry = org.roles[role];
  if (!entry) throw new Error(`role ${role} is not in policies/org.yaml`);
  if (entry.people) return entry.people;
  return entry.byDepartment?.[department] ?? entry.byDepartment?.["*"] ?? [];
}

const key = (v: { policyId: string; ruleId: string }) => `${v.policyId}/${v.ruleId}`;

/** Everything the contract and the catalogue say about the violations a case produces. */
function expectViolationsOf(
  c: AcceptanceCase,
  violations: readonly ViolationJson[] | EvaluationJson["violations"],
) {
  const { record } = c;
  expect(violations.map(key).sort(), c.title).toEqual([...c.expect].sort());
  for (const v of violations) {
    const rule = corpus.catalogue[key(v)] as CatalogueRule;
    const policy = POLICY_OF_TYPE[record.type];
    expect(v.id).toMatch(/^[0-9a-f]{32}$/);
    expect(v).toMatchObject({
      policyId: policy?.id,
      policyVersion: 1,
      area: policy?.area,
      record: { type: record.type, id: record.id, revision: record.revision },
      status: "open",
      detectedAt: NOW,
      resolvedAt: null,
    });
    expect(v.assignees, `${key(v)} assignees`).toEqual(
      rule.assign.map((role) => ({ role, people: peopleFor(role, record.data.department) })),
    );
    expect(Date.parse(v.dueAt) - Date.parse(v.detectedAt), `${key(v)} due`).toBe(durationMs(rule.due));
    expect(v.source.map((s) => s.document)).toEqual(expect.arrayContaining([...rule.documents]));
    for (const text of [v.message.zh, v.message.en]) {
      expect(text.trim().length).toBeGreaterThan(0);
      // every placeholder was filled in
      expect(text).not.toMatch(/\{[a-zA-Z][\w.|-]*\}/);
    }
  }
  expect(new Set(violations.map((v) => v.id)).size).toBe(violations.length);
}

/**
 * Defines the suite's tests on a platform started with `env` added to the end-to-end defaults;
 * returns the platform (once started) for tests of the caller's own.
 */
export function acceptanceSuite(opts: {
  readonly tag: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly startTimeoutMs?: number;
}): () => E2ePlatform {
  let e2e: E2ePlatform;
  const clock = () => new Date(NOW);

  beforeAll(async () => {
    e2e = await startE2ePlatform({
      tag: opts.tag,
      now: clock,
      ...(opts.env ? { env: { ...opts.env } } : {}),
    });
  }, opts.startTimeoutMs ?? 120_000);
  afterAll(async () => e2e?.close(), 60_000);

  describe("the acceptance corpus", () => {
    it("has at least one realistic case firing each of the 25 catalogue rules, and cases firing nothing", () => {
      expect(Object.keys(corpus.catalogue)).toHaveLength(25);
      const fired = new Set(cases.flatMap((c) => c.expect));
      for (const rule of Object.keys(corpus.catalogue)) expect(fired, rule).toContain(rule);
      for (const rule of fired) expect(Object.keys(corpus.catalogue), rule).toContain(rule);
      expect(cases.length).toBeGreaterThanOrEqual(25);
      expect(cases.filter((c) => c.expect.length === 0).length).toBeGreaterThan(0);
      const ids = cases.map((c) => `${c.record.type}/${c.record.id}`);
      expect(new Set(ids).size).toBe(ids.length);
      for (const c of cases) expect(c.seed, c.record.id).toMatch(/^00[0-4] /);
    });
  });

  /** What the dry run answered for each case, to compare with what the stored pass records. */
  const dryRun = new Map<string, EvaluationJson["violations"]>();

  describe("POST /v1/evaluate: a dry run judges each case and stores nothing", () => {
    it.each(cases.map((c) => [c.record.id, c.title, c] as const))("%s: %s", async (_id, _title, c) => {
      const answer = expectDocumented(
        await e2e.api.post<EvaluationJson & ErrorJson>("/v1/evaluate", c.record),
        "POST",
        "/v1/evaluate",
      );
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body.evaluatedAt).toBe(NOW);
      expect(answer.body.policies).toEqual([{ id: POLICY_OF_TYPE[c.record.type]?.id, version: 1 }]);
      expectViolationsOf(c, answer.body.violations);
      dryRun.set(c.record.id, answer.body.violations);

      const stored = expectDocumented(
        await e2e.api.record(c.record.type, c.record.id),
        "GET",
        "/v1/records/{type}/{id}",
      );
      expect(stored.status, "a dry run must store nothing").toBe(404);
    });
  });

  describe("POST /v1/records: the violation log holds exactly the catalogue's rules", () => {
    beforeAll(async () => {
      for (const c of cases) {
        const answer = expectDocumented(
          await e2e.api.post<IngestJson & ErrorJson>("/v1/records", c.record),
          "POST",
          "/v1/records",
        );
        expect(answer.status, `${c.record.id}: ${answer.text}`).toBe(202);
        expect(answer.body).toEqual({
          key: `${c.record.type}/${c.record.id}`,
          revision: c.record.revision,
          duplicate: false,
        });
      }
      await e2e.platform.drained();
    }, 120_000);

    it.each(cases.map((c) => [c.record.id, c.title, c] as const))("%s: %s", async (_id, _title, c) => {
      const stored = expectDocumented(
        await e2e.api.record(c.record.type, c.record.id),
        "GET",
        "/v1/records/{type}/{id}",
      );
      expect(stored.status).toBe(200);
      expect((stored.body as RecordJson).revisions).toEqual([c.record.revision]);

      const answer = expectDocumented(
        await e2e.api.get<ViolationListJson>("/v1/violations", {
          query: { recordType: c.record.type, recordId: c.record.id },
        }),
        "GET",
        "/v1/violations",
      );
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body.nextCursor).toBeNull();
      const violations = answer.body.items;
      expectViolationsOf(c, violations);
      for (const v of violations) {
        expect(v.history).toEqual([expect.objectContaining({ status: "open", at: NOW, by: "system" })]);
        expect(v.updatedAt).toBe(NOW);
      }
      // the stored violations are the ones the dry run predicted
      const predicted = dryRun.get(c.record.id);
      if (predicted) {
        const byKey = (list: readonly { policyId: string; ruleId: string }[]) =>
          [...list].sort((a, b) => key(a).localeCompare(key(b)));
        expect(
          byKey(
            violations.map(({ history: _h, updatedAt: _u, waivedUntil: _w, escalationLevel: _e, ...v }) => v),
          ),
        ).toEqual(byKey(predicted));
      }
    });
  });

  return () => e2e;
}
